"""Section VII: strings composed as the SDNN was trained, the replicated network equal to the
single one on every window, the Viterbi reader against brute force, and HOS's cuts."""

import itertools

import numpy as np
import pytest
import torch
from PIL import Image

from lenet_nb import LeNet5, load_model, read_string
from lenet_nb.digits import strings as S
from lenet_nb.digits.mnist import mnist
from lenet_nb.network.prototypes import hamming_distances, prototype_matrix
from lenet_nb.network.replicated import penalty_sequence, windows
from lenet_nb.provenance import StaleResultsError
from lenet_nb.reading import segmentation as H
from lenet_nb.reading import strings as R


@pytest.fixture(scope="module")
def test_digits():
    raw = mnist(False, transform=None)
    return raw.data.numpy(), raw.targets.numpy()


def test_compose_places_boxes_at_the_asked_gaps(test_digits):
    digits, _ = test_digits
    gaps = [-1, 0, 4, 2]
    image, spans = S.compose(digits[:5], gaps)
    assert image.shape[0] == 32 and (image.shape[1] - 32) % 4 == 0
    for (_, end), (first, _), gap in zip(spans, spans[1:], gaps):
        assert first - end == gap
    for digit, (first, end) in zip(digits[:5], spans):
        ink_first, ink_end = S.ink_columns(digit)
        assert end - first == ink_end - ink_first  # each digit keeps its own width
    assert spans[0][0] == S.MARGIN and image.shape[1] >= spans[-1][1] + S.MARGIN
    assert image[:2].max() == 0 and image[-2:].max() == 0  # MNIST's rows, padded by 2


def test_training_windows_repeat_by_seed_and_carry_ten_percent_noise(test_digits):
    digits, labels = test_digits
    a, la = S.training_windows(digits, labels, 300, seed=3)
    b, lb = S.training_windows(digits, labels, 300, seed=3)
    c, _ = S.training_windows(digits, labels, 300, seed=4)
    assert np.array_equal(a, b) and np.array_equal(la, lb) and not np.array_equal(a, c)
    assert a.shape == (300, 32, 32) and set(la) <= set(range(11))
    clean, _ = S.training_windows(digits, labels, 300, seed=3, noise=0.0)
    flipped = (a != clean).mean()
    # 10% of pixels inverted; a pixel at exactly 127.5 cannot change, none is
    assert abs(flipped - S.NOISE) < 0.005, flipped
    assert 0.2 < (la == S.BLANK).mean() < 0.5  # blanks are a large minority


def test_a_window_reads_the_digit_centred_within_two_pixels_else_blank():
    middles, labels = [10.0, 30.0, 47.5], [3, 8, 1]
    assert S.label_at(31.0, middles, labels) == 8
    assert S.label_at(32.0, middles, labels) == 8
    assert S.label_at(33.0, middles, labels) == S.BLANK
    assert S.label_at(20.0, middles, labels) == S.BLANK
    assert S.label_at(45.5, middles, labels) == 1


def test_the_blank_prototype_is_far_from_every_digit():
    protos = prototype_matrix(blank=True)
    d = hamming_distances(protos)
    assert protos.shape == (11, 84)
    assert int(d[10, :10].min()) == 52  # what prototypes.py states
    digits_apart = min(int(d[i, j]) for i, j in itertools.combinations(range(10), 2))
    assert digits_apart == 19 and int(d[10, :10].min()) > 2 * digits_apart


@pytest.mark.parametrize("name", ["fresh", "sdnn"])
def test_every_output_position_equals_the_single_network_on_its_window(name):
    model = LeNet5(output="rbf+blank").eval() if name == "fresh" else load_model("sdnn")
    x = torch.randn(3, 1, 32, 32 + 4 * 9, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        sequence = penalty_sequence(model, x)
        cut = windows(x)
        single = model(cut.reshape(-1, 1, 32, 32)).reshape(3, -1, 11)
    assert sequence.shape == (3, 10, 11)
    torch.testing.assert_close(sequence, single, rtol=1e-5, atol=1e-4)


def test_replicated_width_and_output_centres():
    assert [S.replicated_width(w) for w in (10, 32, 33, 36, 37)] == [32, 32, 36, 36, 40]
    assert S.output_centres(40).tolist() == [16.0, 20.0, 24.0]


def _brute_force(penalties, switch, nothing):
    best = None
    for path in itertools.product(range(11), repeat=len(penalties)):
        cost = sum(
            min(penalties[t][c], nothing) if c == S.BLANK else penalties[t][c]
            for t, c in enumerate(path)
        )
        for a, b in zip(path, path[1:]):
            if a != b and S.BLANK not in (a, b):
                cost += switch
        if best is None or cost < best[0]:
            best = (cost, list(path))
    return best


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("switch", "nothing"), [(0.0, 1e6), (7.0, 8.0), (1e6, 3.0)])
def test_viterbi_finds_the_cheapest_path_the_grammar_allows(seed, switch, nothing):
    penalties = np.random.default_rng(seed).uniform(0, 20, size=(4, 11))
    cost, _ = _brute_force(penalties, switch, nothing)
    found = R.viterbi(penalties, switch, nothing)
    capped = penalties.copy()
    capped[:, S.BLANK] = np.minimum(capped[:, S.BLANK], nothing)
    found_cost = capped[np.arange(4), found].sum() + switch * sum(
        a != b and S.BLANK not in (a, b) for a, b in zip(found, found[1:])
    )
    assert found_cost == pytest.approx(cost)


def _sequence(labels, low=1.0, high=60.0):
    """Penalties that make each position's label clearly the cheapest."""
    p = np.full((len(labels), 11), high)
    p[np.arange(len(labels)), labels] = low
    return p


def test_the_character_model_merges_repeats_and_needs_blanks_between_characters():
    b = S.BLANK
    assert R.read_penalties(_sequence([b, 3, 3, b, 4, b])) == "34"
    assert R.read_penalties(_sequence([b, 3, b, 3, b])) == "33"
    assert R.read_penalties(_sequence([b, b, b])) == ""
    # a false partial detection: a 1 right after a 4, no blank between, barely the cheapest
    p = _sequence([b, 4, 4, 1, b])
    p[3, b] = 1.5
    assert R.read_penalties(p, switch_penalty=20.0) == "4"
    assert R.read_penalties(p, switch_penalty=0.0) == "41"
    # a weak detection, costlier than reading nothing, is no detection
    weak = _sequence([b, 7, b, 2, b], low=1.0)
    weak[3, 2] = 30.0
    assert R.read_penalties(weak, nothing_penalty=40.0) == "72"
    assert R.read_penalties(weak, nothing_penalty=20.0) == "7"


def test_read_string_reads_a_composed_string_at_any_size_and_polarity(test_digits):
    digits, labels = test_digits
    image, truth, _ = S.random_string(digits, labels, 4, np.random.default_rng(11), gaps=(3, 3))
    truth = "".join(map(str, truth))
    assert R.read_normalised(image).text == truth
    scan = Image.fromarray(255 - image).resize((image.shape[1] * 3, 96), Image.BILINEAR)
    assert read_string(scan) == truth  # dark on light, three times larger
    assert read_string(np.zeros((40, 200), np.uint8)) == ""


def test_cut_candidates_fall_between_components_and_at_projection_minima():
    ink = np.zeros((5, 20), bool)
    ink[:, 2:6] = True  # one component
    ink[:, 9:15] = True  # another, with a thin waist at column 12
    ink[:4, 12] = False
    cuts = H.cut_candidates(ink)
    assert cuts[0] == 2 and cuts[-1] == 15
    assert 7 in cuts and 12 in cuts  # the middle of the background run 6..8, and the waist


def test_hos_reads_well_separated_clean_strings(test_digits):
    digits, labels = test_digits
    rng = np.random.default_rng(5)
    right = 0
    for _ in range(20):
        image, truth, _ = S.random_string(digits, labels, 3, rng, gaps=(4, 4))
        right += H.segment_and_read(image).text == "".join(map(str, truth))
    assert right >= 16, right


def test_despeckle_removes_noise_and_keeps_the_digit(test_digits):
    digits, _ = test_digits
    image, _ = S.compose(digits[:1], [])
    noisy = S.salt_and_pepper(image, S.NOISE, np.random.default_rng(0))
    clean = H.despeckle(noisy)
    ink, kept = image > 32, clean > 32
    background = ~ink
    assert (noisy > 32)[background].mean() > 0.05  # the noise is there
    assert kept[background].mean() < 0.02  # and mostly gone (1.2% stays, measured)
    assert (kept & ink).sum() > 0.9 * ink.sum()  # the digit's ink stays


def test_pieces_are_the_eight_connected_components():
    ink = np.zeros((6, 8), bool)
    ink[0, 0] = ink[1, 1] = True  # diagonal neighbours: one piece
    ink[4:6, 5:8] = True
    ink[0, 7] = True
    sizes = sorted(len(p) for p in H.pieces(ink))
    assert sizes == [1, 2, 6]


@pytest.fixture(scope="module")
def results():
    from lenet_nb.studies import strings as study

    return study.load_results()


def test_the_study_refuses_results_of_other_checkpoints_or_constants(results, tmp_path):
    import json

    from lenet_nb.studies import strings as study

    path = tmp_path / "strings.json"
    for key, value in (
        ("checkpoints", {"sdnn": "0" * 64, "paper": "0" * 64}),
        ("grammar", {**results["grammar"], "chosen": {"switch": 1.0, "nothing": 2.0}}),
    ):
        path.write_text(json.dumps({**results, key: value}))
        with pytest.raises(StaleResultsError, match=f"other {key}.*python -m lenet_nb strings"):
            study.load_results(path)


def test_the_committed_study_backs_the_chapters_claims(results):
    by_gap = {row["gap"]: row for row in results["by_gap"]}
    assert results["multiply_adds"]["replicated"] < results["multiply_adds"]["every_window"]
    assert by_gap[-1]["sdnn"]["string_error"] < by_gap[-1]["hos"]["string_error"]
    assert results["goal"]["sdnn"]["string_error"] < results["goal"]["hos"]["string_error"]
    assert results["goal"]["sdnn"]["strings"] == results["settings"]["strings_per_condition"]
