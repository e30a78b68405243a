"""LeCun's demonstrations as transformations (lenet_nb.digits.transformations): what each does to a
digit, and the committed robustness curves (lenet_nb/results/invariance.json): still those of the
committed networks, and what a recomputation on the first 500 test digits finds."""

import io
import json
import math

import pytest
import torch

from lenet_nb.digits import distortions as D
from lenet_nb.digits import transformations as T
from lenet_nb.digits import variation as V
from lenet_nb.digits.mnist import mnist
from lenet_nb.provenance import StaleResultsError
from lenet_nb.studies import invariance as I


@pytest.fixture(scope="module")
def test_set():
    data = mnist(False, transform=None)
    return data.data, data.targets


@pytest.fixture(scope="module")
def digits(test_set):
    return test_set[0][:100]


@pytest.fixture(scope="module")
def results():
    return I.load_results()


def stats(images):
    return V.shape_statistics(images)


def inside(images, margin, rows=True):
    """The digits with no ink within ``margin`` pixels of the field's left and right edges (and
    of its top and bottom unless ``rows`` is false)."""
    edge = torch.zeros(28, 28, dtype=torch.bool)
    edge[:, :margin], edge[:, -margin:] = True, True
    if rows:
        edge[:margin], edge[-margin:] = True, True
    return images[~(images[:, edge] > 0).any(1)]


@pytest.mark.parametrize("name", list(T.TRANSFORMATIONS))
def test_identity_strength_returns_the_digits(digits, name):
    t = T.TRANSFORMATIONS[name]
    assert t.identity in t.strengths
    assert torch.equal(T.transform(name, digits, t.identity), digits)
    assert torch.equal(T.transform(name, digits[3], t.identity), digits[3])  # one digit too


@pytest.mark.parametrize("name", list(T.TRANSFORMATIONS))
def test_every_strength_changes_the_digits(digits, name):
    t = T.TRANSFORMATIONS[name]
    for s in t.strengths:
        out = T.transform(name, digits, s)
        assert out.shape == digits.shape and out.dtype == torch.uint8
        assert torch.equal(out, digits) == (s == t.identity)
    assert list(t.strengths) == sorted(t.strengths)


@pytest.mark.parametrize("k", [-3.0, -1.0, 1.0, 2.0, 3.0, 0.5])
def test_translation_moves_the_centre_of_mass(digits, k):
    images = inside(digits, 4, rows=False)
    assert len(images) > 50
    before, after = stats(images), stats(T.translation(images, k))
    assert torch.allclose(
        after["com_x"] - before["com_x"], torch.full_like(before["com_x"], k), atol=0.02
    )
    assert torch.allclose(after["com_y"], before["com_y"], atol=0.02)


def test_rotation_turns_anticlockwise(digits):
    # a quarter turn maps pixel centres onto pixel centres: torch.rot90, anticlockwise on screen
    for k, degrees in ((1, 90.0), (-1, -90.0), (2, 180.0)):
        turned = T.rotation(digits, degrees).int()
        assert (turned - torch.rot90(digits, k, dims=(-2, -1)).int()).abs().max() <= 1
    # a turn keeps the ink's size, and turns its second moments
    images = inside(digits, 3)
    before, after = stats(images), stats(T.rotation(images, 30.0))
    assert torch.allclose(after["size"], before["size"], rtol=0.02)


@pytest.mark.parametrize("factor", [0.7, 0.87, 1.15])
def test_scale_resizes_about_the_centre(digits, factor):
    images = inside(digits, 3)
    before, after = stats(images), stats(T.scale(images, factor))
    assert torch.allclose(
        after["size"] / before["size"], torch.full_like(before["size"], factor), rtol=0.03
    )
    # the centre of mass moves towards or away from the field's centre by the same factor: on
    # average exactly, each digit to within the resampling's scatter (a tenth of a pixel)
    for axis in ("com_x", "com_y"):
        error = after[axis] - factor * before[axis]
        assert error.mean().abs() < 0.02 and error.abs().max() < 0.3


@pytest.mark.parametrize("factor", [0.6, 1.68])
def test_squeeze_is_the_distortions_squeeze(digits, factor):
    assert torch.equal(
        T.squeeze(digits[:20], factor),
        torch.stack([D.distort(d, D.DistortionParams(squeeze=factor)) for d in digits[:20]]),
    )


def test_stroke_width_moves_the_ink_monotonically(digits):
    widths = T.TRANSFORMATIONS["stroke"].strengths
    ink = [T.stroke(digits, w).double().sum((1, 2)) for w in widths]
    for thinner, thicker in zip(ink, ink[1:]):
        assert (thicker >= thinner).all() and (thicker > thinner).float().mean() > 0.9
    # dilation keeps every ink pixel at least as dark; erosion never adds ink
    assert (T.stroke(digits, 1.0) >= digits).all() and (T.stroke(digits, -1.0) <= digits).all()
    # one whole step thickens a one-pixel dot to the dot and its four neighbours
    dot = torch.zeros(28, 28, dtype=torch.uint8)
    dot[10, 12] = 200
    assert T.stroke(dot, 1.0).nonzero().tolist() == [
        [9, 12],
        [10, 11],
        [10, 12],
        [10, 13],
        [11, 12],
    ]
    assert T.stroke(T.stroke(dot, 1.0), -1.0).equal(dot)
    # a fraction blends towards the next whole step: half a step is halfway
    half = T.stroke(dot, 0.5)
    assert half[10, 12] == 200 and half[9, 12] == 100 and half.sum() == 200 + 4 * 100


@pytest.mark.parametrize("p", [0.01, 0.1, 0.3])
def test_noise_hits_about_the_fraction_asked(p):
    grey = torch.full((200, 28, 28), 128, dtype=torch.uint8)  # every hit changes a grey pixel
    noisy = T.noise(grey, p, seed=3)
    hit = noisy != 128
    n = hit.numel()
    assert abs(hit.double().mean().item() - p) < 4 * math.sqrt(p * (1 - p) / n)
    salt = (noisy == 255).sum().item()
    assert abs(salt / hit.sum().item() - 0.5) < 4 * math.sqrt(0.25 / hit.sum().item())
    assert set(noisy.unique().tolist()) == {0, 128, 255}


def test_noise_is_seeded_and_nested(digits):
    a = T.noise(digits, 0.1, seed=1)
    assert torch.equal(a, T.noise(digits, 0.1, seed=1))
    assert not torch.equal(a, T.noise(digits, 0.1, seed=2))
    # a larger fraction keeps the smaller one's hits, with the same colours
    hits = T.noise(torch.full_like(digits, 128), 0.1, seed=1) != 128
    more = T.noise(digits, 0.3, seed=1)
    assert torch.equal(more[hits], a[hits])
    assert set(T.noise(digits, 1.0).unique().tolist()) == {0, 255}


def test_transform_refuses_what_it_cannot_read(digits):
    with pytest.raises(ValueError, match="unknown transformation 'blur'.*translation"):
        T.transform("blur", digits, 1.0)
    with pytest.raises(ValueError, match="expected uint8"):
        T.transform("rotation", digits.float(), 10.0)


# --- the committed results -----------------------------------------------------------------------


def test_results_cover_every_range_and_all_test_digits(results):
    assert results["digits"] == 10_000 and results["command"] == I.COMMAND
    assert list(results["transformations"]) == list(T.TRANSFORMATIONS)
    for name, r in results["transformations"].items():
        assert 9 <= len(r["strengths"]) <= 13
        t = T.TRANSFORMATIONS[name]
        centre = t.strengths.index(t.identity)
        for network in I.NETWORKS:
            errors = r["errors"][network]
            # at the identity, the networks' own test errors (their histories say the same)
            assert (
                errors[centre]
                == results["transformations"]["rotation"]["errors"][network][
                    T.TRANSFORMATIONS["rotation"].strengths.index(0.0)
                ]
            )
            assert all(0 <= c <= e for c, e in zip(r["check"][network], errors))
        assert all(
            b <= min(p, d)
            for b, p, d in zip(r["both"], r["errors"]["paper"], r["errors"]["distorted"])
        )


def test_results_agree_with_a_recomputation_on_500_digits(results, test_set):
    images, labels = test_set
    n = results["check_digits"]
    again = I.measure(images[:n], labels[:n], progress=False)
    for name, r in results["transformations"].items():
        for network in I.NETWORKS:
            diff = [abs(a - b) for a, b in zip(again[name]["errors"][network], r["check"][network])]
            assert max(diff) <= I.TOLERANCE, (name, network, diff)


def test_load_results_refuses_other_checkpoints_and_ranges(results, tmp_path):
    path = tmp_path / "invariance.json"
    tampered = json.loads(json.dumps(results))
    tampered["checkpoints"]["distorted"] = "0" * 64
    path.write_text(json.dumps(tampered))
    with pytest.raises(
        StaleResultsError, match="other checkpoints.*distorted.*python -m lenet_nb invariance"
    ):
        I.load_results(path)
    narrower = json.loads(json.dumps(results))
    narrower["transformations"]["rotation"]["strengths"][0] = -45.0
    path.write_text(json.dumps(narrower))
    with pytest.raises(StaleResultsError, match="other ranges.*rotation"):
        I.load_results(path)
    with pytest.raises(FileNotFoundError, match="python -m lenet_nb invariance"):
        I.load_results(tmp_path / "missing.json")


def synthetic(paper, distorted, both):
    """A results dict with one transformation, 'translation', and the given error counts."""
    strengths = list(T.TRANSFORMATIONS["translation"].strengths)
    assert len(paper) == len(strengths)
    return {
        "digits": 10_000,
        "transformations": {
            "translation": {
                "strengths": strengths,
                "both": both,
                "errors": {"paper": paper, "distorted": distorted},
            }
        },
    }


def test_intact_range_and_gains_read_the_curves():
    #            -6   -5   -4   -3   -2  -1   0   1   2    3    4    5     6
    paper = [5000, 3000, 1500, 600, 250, 120, 90, 110, 300, 700, 1600, 3100, 5200]
    distorted = [4000, 2000, 900, 300, 120, 115, 87, 108, 130, 320, 1000, 2500, 4800]
    data = synthetic(paper, distorted, [min(p, d) - 20 for p, d in zip(paper, distorted)])
    assert I.intact_range(data, "translation", "paper", 0.02) == (-1.0, 1.0)
    assert I.intact_range(data, "translation", "distorted", 0.02) == (-2.0, 2.0)
    assert I.intact_range(data, "translation", "distorted", 0.05) == (-3.0, 3.0)
    with pytest.raises(ValueError, match="already"):
        I.intact_range(data, "translation", "paper", 0.005)
    # 90 against 87 is noise, and so is 120 against 115; 250 against 120 (170 digits
    # differ, so the noise is 2 sqrt(170) = 26) is not
    assert I.distortion_gains(data, "translation") == [
        -6.0,
        -5.0,
        -4.0,
        -3.0,
        -2.0,
        2.0,
        3.0,
        4.0,
        5.0,
        6.0,
    ]
    rows = I.comparison(data, "translation")
    assert not rows[6]["distorted_better"] and not rows[6]["paper_better"]
    assert rows[4]["noise"] == pytest.approx(2 * math.sqrt(250 + 120 - 2 * 100))


def test_invariance_figure_draws(results, digits):
    from matplotlib.figure import Figure

    from lenet_nb.book.figures import invariance_curves

    for fig in (invariance_curves(results), invariance_curves(results, digits[0])):
        assert isinstance(fig, Figure)
        assert len([ax for ax in fig.axes if ax.axison]) == len(T.TRANSFORMATIONS)
        fig.savefig(io.BytesIO(), format="png", dpi=30)
