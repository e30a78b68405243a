"""The paper's affine distortions: geometry, the two paths agreeing, the measured ranges and the
540,000 training copies' interface."""

import io
import math

import pytest
import torch
from torchvision.transforms import v2

from lenet_nb.digits import distortions as D
from lenet_nb.digits import variation as V
from lenet_nb.digits.mnist import mnist


@pytest.fixture(scope="module")
def train():
    data = mnist(True, transform=None)
    return data.data, data.targets


@pytest.fixture(scope="module")
def digits(train):
    return train[0][:200]


def stats(image):
    return {k: v.item() for k, v in V.shape_statistics(image.unsqueeze(0)).items()}


def box(image, level=128):
    """Width and height of the box of pixels at least ``level``."""
    ink = image >= level
    cols, rows = ink.any(0).nonzero(), ink.any(1).nonzero()
    return (cols.max() - cols.min() + 1).item(), (rows.max() - rows.min() + 1).item()


def distorted_uncut(images, params):
    """``(image, distorted)`` pairs for the images whose distortion keeps all ink in the field
    (those :func:`keep_inside` leaves alone)."""
    row = torch.tensor([[getattr(params, f) for f in D.FIELDS]], dtype=torch.float64)
    return [
        (im, D.distort(im, params))
        for im in images
        if torch.equal(D.keep_inside(im.unsqueeze(0), row), row)
    ]


def test_identity_returns_the_image(digits):
    for image in digits[:20]:
        assert torch.equal(D.distort(image, D.DistortionParams()), image)
    table = torch.tensor([[0.0, 0.0, 1.0, 1.0, 0.0]], dtype=torch.float64).repeat(len(digits), 1)
    assert torch.equal(D.apply_table(digits, table), digits)


@pytest.mark.parametrize("tx,ty", [(2.0, 0.0), (0.0, -1.5), (-1.0, 1.0), (0.5, 0.25)])
def test_translation_moves_the_centre_of_mass(digits, tx, ty):
    for image in digits[:20]:
        before, after = stats(image), stats(D.distort(image, D.DistortionParams(tx, ty)))
        assert after["com_x"] - before["com_x"] == pytest.approx(tx, abs=0.05)
        assert after["com_y"] - before["com_y"] == pytest.approx(ty, abs=0.05)


@pytest.mark.parametrize("k", [0.6, 0.8, 1.25, 1.68])
def test_squeeze_changes_the_aspect_as_requested(digits, k):
    # not the thinnest strokes: for a "1" one pixel wide, the blur of resampling dominates
    # its horizontal spread
    broad = [im for im in digits if stats(im)["aspect"] >= 0.4][:60]
    pairs = distorted_uncut(broad, D.DistortionParams(squeeze=k))
    assert len(pairs) >= 15
    ratios = torch.tensor([stats(out)["aspect"] / stats(im)["aspect"] for im, out in pairs])
    # second-moment aspect (slant removed) multiplied by k (resampling blur perturbs single digits)
    assert ratios.median().item() == pytest.approx(k, rel=0.02)
    assert torch.allclose(ratios, torch.full_like(ratios, k), rtol=0.1)
    for image, out in pairs:
        # the ink box (dark pixels, so that bilinear fringes do not count): its width-to-height
        # ratio multiplied by k, to within the quantisation of a box of ~20 pixels
        b, a = box(image), box(out)
        assert (a[0] / a[1]) / (b[0] / b[1]) == pytest.approx(k, rel=0.2)
        wider, taller = (a[0] >= b[0], a[1] <= b[1]) if k > 1 else (a[0] <= b[0], a[1] >= b[1])
        assert wider and taller


@pytest.mark.parametrize("h", [-0.5, -0.2, 0.3, 0.52])
def test_shear_slants(digits, h):
    pairs = distorted_uncut(digits[:80], D.DistortionParams(shear=h))
    assert len(pairs) >= 20
    added = torch.tensor([stats(out)["slant"] - stats(im)["slant"] for im, out in pairs])
    assert added.median().item() == pytest.approx(h, abs=0.01)
    assert torch.allclose(added, torch.full_like(added, h), atol=0.03)
    for image, out in pairs:
        before, after = stats(image), stats(out)
        # rows stay where they are: the vertical extent does not change
        assert after["box_height"] == before["box_height"]
        assert after["com_y"] == pytest.approx(before["com_y"], abs=0.01)


@pytest.mark.parametrize("s", [0.87, 1.15])
def test_scale_resizes(digits, s):
    pairs = distorted_uncut(digits[:30], D.DistortionParams(scale=s))
    assert len(pairs) >= 20
    for image, out in pairs:
        assert stats(out)["size"] / stats(image)["size"] == pytest.approx(s, rel=0.02)


def test_distort_is_torchvision_affine_when_torchvision_can_say_it(digits):
    """Without squeeze the map is torchvision's own translate/scale/x-shear, so the reference path
    must be exactly one v2.functional.affine call with those arguments."""
    for image in digits[:10]:
        p = D.DistortionParams(translate_x=1.3, translate_y=-0.7, scale=0.9, shear=0.4)
        expected = v2.functional.affine(
            image.unsqueeze(0),
            angle=0.0,
            translate=[1.3, -0.7],
            scale=0.9,
            shear=[math.degrees(math.atan(0.4)), 0.0],
            interpolation=v2.InterpolationMode.BILINEAR,
        )[0]
        assert torch.equal(D.distort(image, p), expected)


def test_torchvision_arguments_reproduce_the_matrix():
    g = torch.Generator().manual_seed(3)
    wide = D.DistortionRanges(3, 3, (0.5, 2.0), (0.3, 3.0), 1.0)
    for row in D.random_table(g, wide, 200):
        m = D.DistortionParams(*row.tolist()).matrix()
        if math.hypot(m[0, 0], m[1, 0]) < math.sqrt(float(torch.linalg.det(m))):
            m = m.flip(0).flip(1)  # the transposed case distort() takes
        angle, scale, (sx, sy) = D._torchvision_args(m)
        a, s, x, y = map(math.radians, (angle, 0, sx, sy))
        rss = torch.tensor(
            [
                [
                    math.cos(a - y) / math.cos(y),
                    -math.cos(a - y) * math.tan(x) / math.cos(y) - math.sin(a),
                ],
                [
                    math.sin(a - y) / math.cos(y),
                    -math.sin(a - y) * math.tan(x) / math.cos(y) + math.cos(a),
                ],
            ],
            dtype=torch.float64,
        )
        assert torch.allclose(scale * rss, m, atol=1e-9)


def test_batched_path_matches_torchvision(digits):
    g = torch.Generator().manual_seed(7)
    wide = D.DistortionRanges(2.5, 2.5, (0.8, 1.25), (0.5, 2.0), 0.7)
    for ranges in (D.PAPER_DISTORTIONS, wide):
        table = D.random_table(g, ranges, len(digits))
        assert (table[:, 3] < 1).any() and (table[:, 3] > 1).any()  # both squeeze branches
        reference = torch.stack(
            [D.distort(im, D.DistortionParams(*row.tolist())) for im, row in zip(digits, table)]
        )
        batched = D.apply_table(digits, table)
        diff = (reference.int() - batched.int()).abs()
        assert diff.max() <= 1  # a rounding difference at most
        assert (diff > 0).float().mean() < 1e-3


def test_random_table_within_ranges():
    g = torch.Generator().manual_seed(0)
    r = D.PAPER_DISTORTIONS
    table = D.random_table(g, r, 20_000)
    assert table[:, 0].abs().max() <= r.translate_x and table[:, 1].abs().max() <= r.translate_y
    assert r.scale[0] <= table[:, 2].min() and table[:, 2].max() <= r.scale[1]
    assert r.squeeze[0] <= table[:, 3].min() and table[:, 3].max() <= r.squeeze[1]
    assert table[:, 4].abs().max() <= r.shear
    # they fill the ranges, and squeeze is symmetric in log around 1
    assert table[:, 0].abs().max() > 0.99 * r.translate_x
    assert table[:, 3].log().mean().abs() < 0.02 + abs(math.log(r.squeeze[0] * r.squeeze[1])) / 2


def test_paper_ranges_are_the_measured_two_sd(train):
    images, labels = train
    variation = V.natural_variation(images, labels)
    # MNIST centres the centre of mass to within a pixel: uniform in a pixel, s.d. ~ 1/sqrt(12)
    assert variation["com_x"]["sd"] == pytest.approx(1 / math.sqrt(12), abs=0.02)
    measured = V.ranges_from_variation(variation, k=2.0)
    r = D.PAPER_DISTORTIONS
    assert r.translate_x == pytest.approx(measured.translate_x, abs=0.05)
    assert r.translate_y == pytest.approx(measured.translate_y, abs=0.05)
    assert r.shear == pytest.approx(measured.shear, abs=0.01)
    for ours, theirs in ((r.scale, measured.scale), (r.squeeze, measured.squeeze)):
        assert ours == pytest.approx(theirs, abs=0.01)
    # within-class spread is below the overall spread (classes differ in shape)
    assert variation["log_aspect"]["within_sd"] < variation["log_aspect"]["sd"]


def test_distorted_copies_shape_order_determinism(digits):
    n, copies = 50, 3
    images = digits[:n]
    out = D.distorted_copies(images, copies=copies, seed=5, progress=False, batch_size=40)
    assert out.shape == (n * copies, 28, 28) and out.dtype == torch.uint8
    assert torch.equal(out, D.distorted_copies(images, copies=copies, seed=5, progress=False))
    assert not torch.equal(out, D.distorted_copies(images, copies=copies, seed=6, progress=False))
    # copy k of pattern i is at k * n + i: it is pattern i under row k * n + i of the table
    table = D.distortion_table(images, copies=copies, seed=5)
    for k in range(copies):
        for i in (0, 17, n - 1):
            expected = D.distort(images[i], D.DistortionParams(*table[k * n + i].tolist()))
            assert (expected.int() - out[k * n + i].int()).abs().max() <= 1
            assert not torch.equal(out[k * n + i], images[i])
    # different copies of one pattern differ, and each is still mostly that pattern
    assert not torch.equal(out[0], out[n])
    corr = torch.nn.functional.cosine_similarity(
        out.float().flatten(1), images.repeat(copies, 1, 1).float().flatten(1)
    )
    assert corr.median() > 0.5


def test_distorted_copies_keep_the_ink_inside(digits):
    out = D.distorted_copies(digits, copies=9, seed=0, progress=False)
    table = D.distortion_table(digits, copies=9, seed=0)
    # bilinear resampling keeps the ink's mass times the area factor scale^2, unless ink is cut
    ratio = (
        out.double().sum((1, 2)) / digits.repeat(9, 1, 1).double().sum((1, 2)) / table[:, 2] ** 2
    )
    assert ratio.median() == pytest.approx(1.0, abs=0.01)
    assert (ratio > 0.97).float().mean() > 0.98
    assert (ratio > 0.97).float().mean() > 0.99


def test_keep_inside_only_adjusts_when_needed(digits):
    table = torch.tensor(
        [
            [0.0, 0.0, 1.0, 1.0, 0.0],  # fits: untouched
            [12.0, 0.0, 1.0, 1.0, 0.0],  # pushed off the right edge: shifted
            [0.0, 0.0, 1.4, 0.6, 0.0],
        ],  # too tall to fit: smaller
        dtype=torch.float64,
    )
    images = digits[[0, 1, 0]]
    assert stats(images[0])["box_height"] == 20
    fixed = D.keep_inside(images, table)
    assert torch.equal(fixed[0], table[0])
    assert 0 < fixed[1, 0] < 12.0 and fixed[1, 1:].equal(table[1, 1:])
    assert fixed[2, 2] < 1.4 and fixed[2, 3:].equal(table[2, 3:])
    out = D.apply_table(images, fixed)
    kept = out.double().sum((1, 2)) / images.double().sum((1, 2)) / fixed[:, 2] ** 2
    assert torch.allclose(kept, torch.ones(3, dtype=torch.float64), atol=0.01)
    # without the adjustment, the last two lose ink at the edge
    cut = D.apply_table(images, table)
    lost = cut.double().sum((1, 2)) / images.double().sum((1, 2)) / table[:, 2] ** 2
    assert (lost[1:] < 0.9).all()


def test_explorer_widget_holds_the_digits_and_the_distortion(digits):
    """The picture is computed in the page (distort.js, held equal to distort by
    tests/test_distort_js.py); Python holds the digits it draws from and the distortion shown."""
    import base64

    from lenet_nb.book.widgets import DistortionExplorer

    w = DistortionExplorer(digits[:4], [5, 0, 4, 1], index=1)
    r = D.PAPER_DISTORTIONS
    controls = {c["name"]: c for c in w.data["controls"]}
    assert list(controls) == list(D.FIELDS)  # one slider per distortion, in order
    assert controls["shear"]["max"] == pytest.approx(r.shear)
    assert 10 ** controls["squeeze"]["min"] == pytest.approx(r.squeeze[0])  # a log slider
    squeeze = controls["squeeze"]  # whose grid holds the identity exactly
    assert (0 - squeeze["min"]) / squeeze["step"] == pytest.approx(20)
    stored = torch.frombuffer(bytearray(base64.b64decode(w.data["digits"])), dtype=torch.uint8)
    assert torch.equal(stored.reshape(4, 28, 28), digits[:4])
    assert w.params == D.DistortionParams()  # starts at the identity
    assert torch.equal(w.shown(), digits[1])
    w.set(translate_x=1.0, squeeze=1.5, shear=0.3)
    p = w.params
    assert (p.translate_x, p.squeeze, p.shear) == (
        pytest.approx(1.0),
        pytest.approx(1.5),
        pytest.approx(0.3),
    )
    assert w.value("squeeze") == pytest.approx(1.5)
    assert torch.equal(w.shown(), D.distort(digits[1], p))
    w.digit = 2  # another digit, as the front end's menu sets it
    assert torch.equal(w.shown(), D.distort(digits[2], p))
    w.reset()
    assert w.params == D.DistortionParams()
    assert repr(w) == (
        "DistortionExplorer(digit 2, translate (+0.0, +0.0) px, scale 1.000, "
        "squeeze 1.000, shear +0.00)"
    )
    with pytest.raises(ValueError, match="unknown distortion 'rotate'"):
        w.set(rotate=0.1)


def test_distortion_figures_draw(digits):
    from matplotlib.figure import Figure

    from lenet_nb.book import figures

    copies = D.distorted_copies(digits[:1], copies=5, progress=False)
    figs = [
        figures.distortion_gallery(digits[0], copies, ncols=3),
        figures.distortion_extremes(
            [("shear", [("-", copies[0]), ("o", digits[0])]), ("scale", [("+", copies[1])])]
        ),
        figures.within_class_spread(
            [("a", "px", torch.randn(100), 1.0), ("b", "log", torch.randn(100) * 0.1, 0.2)]
        ),
        figures.error_overlap(3, 40, 5, 0.8, names=("x", "y")),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        fig.savefig(io.BytesIO(), format="png", dpi=30)
