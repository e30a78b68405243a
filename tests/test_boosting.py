"""Boosted LeNet-4 (Section III-C-2): the filters that make its second and third nets' training
sets, and the ensemble that adds the three nets' outputs."""

import pytest
import torch

from lenet_nb.digits.mnist import mnist, preprocess
from lenet_nb.network.family import BoostedEnsemble, LeNet4
from lenet_nb.studies import boosting


@pytest.fixture
def small_chunks(monkeypatch):
    """Fresh distortions replaced by 600 training digits per seed, for speed."""
    raw = mnist(train=True, transform=None)

    def fresh(seed):
        index = torch.randperm(60_000, generator=torch.Generator().manual_seed(seed))[:600]
        return raw.data[index], raw.targets[index]

    monkeypatch.setattr(boosting, "fresh_patterns", fresh)
    monkeypatch.setattr(boosting, "CHUNK", 600)


def _nets():
    torch.manual_seed(0)
    return [LeNet4().eval() for _ in range(3)]


def test_second_net_sees_half_right_half_wrong(small_chunks):
    first, _, _ = _nets()
    images, labels, drawn = boosting.second_net_patterns(first, 0, size=200)
    right = boosting.decisions(first, images) == labels
    assert len(labels) == 200 and int(right.sum()) == 100
    assert drawn % 600 == 0


def test_third_net_sees_only_disagreements(small_chunks):
    first, second, _ = _nets()
    images, labels, _ = boosting.third_net_patterns(first, second, 0, size=50)
    assert len(labels) == 50
    assert (boosting.decisions(first, images) != boosting.decisions(second, images)).all()


def test_fresh_patterns_are_new_distortions_of_every_training_digit():
    images, labels = boosting.fresh_patterns(boosting.HELD_OUT_SEEDS)
    raw = mnist(train=True, transform=None)
    assert images.shape == raw.data.shape and torch.equal(labels, raw.targets)
    assert (images != raw.data).flatten(1).any(1).float().mean() > 0.99


@torch.no_grad()
def test_ensemble_adds_outputs_and_skips_only_where_the_first_net_is_sure():
    nets = _nets()
    x = preprocess(mnist(train=False, transform=None).data[:64])
    ensemble = BoostedEnsemble(nets)
    added = sum(net(x) for net in nets)
    assert torch.allclose(ensemble(x), added, atol=1e-4)
    outputs = sum(net.activations(x)["F6"] for net in nets)
    assert torch.equal(ensemble.decide(ensemble(x)), outputs.argmax(1))
    two = nets[0](x).topk(2, dim=1, largest=False).values
    ensemble.confident_margin = float((two[:, 1] - two[:, 0]).median())
    unsure = ensemble.unsure(nets[0](x))
    skipped = ensemble(x)
    assert 0 < unsure.sum() < len(x)
    assert torch.allclose(skipped[unsure], added[unsure], atol=1e-4)
    assert torch.allclose(skipped[~unsure], 3 * nets[0](x)[~unsure], atol=1e-4)
