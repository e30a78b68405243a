"""SDLM's steps parameter by parameter (lenet_nb.training.step_sizes, lenet_nb.book.step_sizes):
the sharing counts follow the layers' geometry, and the steps are the optimizer's own."""

import torch

from lenet_nb.book.step_sizes import MOMENTS, StepSizes
from lenet_nb.network.model import LeNet5
from lenet_nb.training.sdlm import SDLM, gauss_newton_diagonal
from lenet_nb.training.step_sizes import by_parameter, connections, step_sizes_by_parameter


def test_connections_count_the_units_that_share_a_value():
    shared = connections(LeNet5())
    # C1: 6 maps of 28x28; S2: 14x14 units of 4 inputs each; C3: 10x10; S4: 5x5 of 4 inputs.
    assert (shared["C1.weight"], shared["C1.bias"]) == (28 * 28, 28 * 28)
    assert (shared["S2.weight"], shared["S2.bias"]) == (14 * 14 * 4, 14 * 14)
    assert (shared["C3.weight"], shared["C3.bias"]) == (100, 100)
    assert (shared["S4.weight"], shared["S4.bias"]) == (5 * 5 * 4, 25)
    assert shared["C5.weight"] == shared["F6.weight"] == shared["F6.bias"] == 1


def test_steps_by_parameter_are_the_optimizers_steps():
    torch.manual_seed(0)
    model = LeNet5()
    h = gauss_newton_diagonal(model, torch.randn(8, 1, 32, 32))
    optimizer = SDLM(model.parameters(), lr=5e-4, mu=0.02)
    optimizer.set_curvature(h)
    ours = step_sizes_by_parameter(model, h, 5e-4, 0.02)
    for (name, _), eps in zip(model.named_parameters(), optimizer.step_sizes()):
        assert torch.allclose(ours[name], eps.double().flatten(), rtol=1e-6), name
    assert set(by_parameter(model, h)) == set(ours)


def test_the_table_reads_medians_per_connection_and_steps():
    h = {m: {"C1.weight": torch.tensor([1.0, 3.0, 5.0])} for m in MOMENTS}
    steps = {m: {"C1.weight": torch.tensor([k + 1.0] * 3)} for k, m in enumerate(MOMENTS)}
    table = StepSizes(1e-4, {"C1.weight": 784}, h, steps, 0.05)
    assert table.per_connection() == {"C1.weight": 3.0 / 784}
    assert table.medians("after one pass") == {"C1.weight": 2.0}
    row = table.table().splitlines()[-1].split()
    assert row == ["C1.weight", "784", "3", "0.0038", "1", "2", "3"]
