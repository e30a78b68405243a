"""What the chapters' prose says about the committed study results, checked against those
results: a sentence a study's regeneration would make false fails here, not only in a reader's
eyes. (Claims about numbers a chapter computes live are asserted in the chapter itself.)"""

import pytest

from lenet_nb.book import tables
from lenet_nb.studies import published, seeds


@pytest.fixture(scope="module")
def study():
    return seeds.load_results()


@pytest.fixture(scope="module")
def outs(study):
    return seeds.outcomes(study)


def _first_passes(study, recipe, seed=0):
    run = next(r for r in study["runs"] if r["recipe"] == recipe and r["seed"] == seed)
    return [h["train_error"] for h in run["history"]]


def test_training_the_books_recipe_beats_the_paper_on_average(outs):
    paper = outs["paper"]
    assert (
        paper.mean < published.PAPER_TEST_ERROR and paper.train_mean < published.PAPER_TRAIN_ERROR
    )


def test_training_batch_8_ends_above_the_books_recipe_in_less_than_half_the_time(outs):
    paper, batch_8 = outs["paper"], outs["batch-8"]
    assert paper.mean < batch_8.mean and paper.train_mean < batch_8.train_mean / 2
    assert batch_8.train_seconds < paper.train_seconds / 2


def test_training_every_other_recipe_fits_less_than_batch_8(outs):
    batch_8 = outs["batch-8"]
    for name in set(tables.TRAINING_STUDY) - {"paper", "batch-8", "batch-16-eta-8"}:
        assert min(outs[name].train_errors) > max(batch_8.train_errors), name
        assert outs[name].mean > batch_8.mean, name


def test_training_the_step_per_pattern_counts_not_the_batch(outs):
    batch_8, b16 = outs["batch-8"], outs["batch-16-eta-8"]
    assert abs(b16.mean - batch_8.mean) < max(b16.std, batch_8.std)
    assert abs(b16.train_mean - batch_8.train_mean) < max(b16.train_std, batch_8.train_std)
    assert outs["batch-64"].train_mean > outs["batch-16"].train_mean > batch_8.train_mean


def test_training_the_papers_eta_is_not_stable_at_first(study):
    """Per pattern and 8 per update at the paper's eta, the training error rises from the first
    pass to the second and falls once the schedule lowers eta; the book's recipe never rises."""
    for recipe in ("per-pattern", "batch-8-paper-eta"):
        first, second, third = _first_passes(study, recipe)[:3]
        assert second > first > third, recipe
    errors = _first_passes(study, "paper")
    assert errors[1] < errors[0] and errors[2] < errors[1]
    assert [round(100 * e, 2) for e in _first_passes(study, "per-pattern")[:3]] == [
        3.78,
        6.56,
        2.87,
    ]


def test_training_appendix_a_at_eta_over_8_ends_its_first_pass_at_chance(study):
    run = next(r for r in study["runs"] if r["recipe"] == "paper-init-default-eta")
    assert run["history"][0]["test_error"] > 0.85


def test_results_the_books_network_and_its_seeds_as_the_chapter_states(outs):
    paper = outs["paper"]
    assert paper.seeds[0] == seeds.COMMITTED["paper"] == 0
    assert round(100 * paper.test_errors[0], 2) == 0.79 and round(100 * paper.mean, 2) == 0.81
    assert round(100 * paper.train_mean, 2) == 0.13


def test_results_fewer_training_digits_cost_accuracy(outs):
    errors = [round(100 * outs[name].mean, 2) for name in ("paper-15000", "paper-30000")]
    assert errors == [1.33, 1.08] and outs["paper"].mean < outs["paper-30000"].mean
    trained = [round(100 * outs[name].train_mean, 2) for name in ("paper-15000", "paper-30000")]
    assert trained == [0.07, 0.09] and outs["paper"].train_mean > outs["paper-30000"].train_mean


@pytest.fixture(scope="module")
def ablation_runs():
    from lenet_nb.studies import ablation

    return ablation.load_results()["runs"]


def _seconds(runs, recipe):
    return {r["seed"]: r["train_seconds"] for r in runs if r["recipe"] == recipe}


def test_ablation_full_c3_takes_longer_mostly_on_its_first_seed(ablation_runs):
    faithful, full = (
        _seconds(ablation_runs, "ablation-faithful"),
        _seconds(ablation_runs, "ablation-full-c3"),
    )
    assert round(sum(faithful.values()) / 3) == 120 and round(sum(full.values()) / 3) == 135
    assert (round(faithful[0]), round(full[0])) == (164, 220)
    assert all(abs(faithful[s] - full[s]) < 8 for s in (1, 2))


def test_ablation_a_relu_f6_keeps_every_penalty_above_the_prototypes_background():
    """Each -1 pixel of a prototype adds (x + 1)^2 >= 1 to its penalty when x >= 0: no ReLU F6
    output gets any penalty below the number of its prototype's -1 pixels."""
    import torch

    from lenet_nb.network.prototypes import prototype_matrix

    prototypes = prototype_matrix()
    g = torch.Generator().manual_seed(0)
    x = torch.relu(torch.randn(1000, 84, generator=g) * 2)
    penalties = ((x[:, None, :] - prototypes[None]) ** 2).sum(-1)
    background = (prototypes == -1).sum(1)
    assert (penalties >= background[None]).all()
    assert (background.min().item(), background.max().item()) == (35, 55)
