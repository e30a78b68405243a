"""Why fixed prototypes keep maximum likelihood from collapsing (the Training chapter): the bound
y_a + y_b >= 2 H_ab, and the best loss of a network that outputs one vector for every digit."""

import torch

from lenet_nb.network.prototypes import collapse_floor, hamming_distances, pair_slack
from lenet_nb.network.prototypes import prototype_matrix as prototypes_of


def _penalties(x, prototypes):
    return ((x[:, None, :] - prototypes[None]) ** 2).sum(-1)


def test_no_vector_is_close_to_two_prototypes():
    prototypes = prototypes_of()
    torch.manual_seed(0)
    x = torch.cat([torch.randn(500, 84), prototypes, (prototypes[:9] + prototypes[1:]) / 2])
    slack = pair_slack(_penalties(x, prototypes), prototypes)
    assert slack.shape == (len(x), 90) and slack.min() >= -1e-4
    # The bound is tight at the midpoint of two prototypes, for that pair.
    midpoint_of_0_and_1 = pair_slack(_penalties(x[-9:-8], prototypes), prototypes)[0, 0]
    assert abs(midpoint_of_0_and_1) < 1e-4
    assert hamming_distances(prototypes)[0, 1] > 0


def test_the_collapse_floor_is_the_best_single_vector():
    prototypes = prototypes_of()
    labels = torch.tensor([0, 0, 0, 1, 2, 2, 7, 7, 7, 7])
    floor = collapse_floor(labels, prototypes)
    share = torch.bincount(labels, minlength=10).double() / len(labels)
    best = share @ prototypes.double()

    def loss_at(x):
        return _penalties(x[None], prototypes.double())[0][labels].mean().item()

    assert abs(loss_at(best) - floor) < 1e-9
    torch.manual_seed(1)
    assert all(
        loss_at(best + 0.1 * torch.randn(84, dtype=torch.float64)) > floor for _ in range(20)
    )


def test_the_collapsed_network_gives_every_digit_a_zero_penalty():
    from lenet_nb.network.model import LeNet5
    from lenet_nb.network.prototypes import collapsed

    model = LeNet5()
    penalties = collapsed(model)(torch.randn(5, 1, 32, 32))
    assert torch.equal(penalties, torch.zeros(5, 10))
    assert model.output.prototypes.abs().min() == 1  # the original is untouched
