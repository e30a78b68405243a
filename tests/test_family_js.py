"""LeNet-5's family in the browser (``static/src/family.js``, on lenet5.js's layers) against
PyTorch (``lenet_nb.network.family``), under node: LeNet-1's input (the 28x28 digit shrunk to
16x16 by ``resize.js``, torchvision's antialiased Resize), every layer of LeNet-1 and LeNet-4, and
boosted LeNet-4's penalties and skip rule, on 300 test digits.

The networks are the committed ones (``static/family_weights.js``, ``load_model``) once their
checkpoints are committed, and always freshly initialised ones exported the same way
(``family_export.family_payload``) into a file of the test's own, so that the arithmetic is held
before any training ends.
"""

import json

import numpy as np
import pytest
import torch
from node import NODE, float32, run_driver

from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.book.widgets.family_export import (
    FAMILY_OUT,
    family_available,
    family_network_payload,
    family_payload,
    family_script,
)
from lenet_nb.digits.inputs import as_digit_pixels, network_input
from lenet_nb.digits.mnist import mnist
from lenet_nb.network.family import BoostedEnsemble, LeNet1, LeNet4
from lenet_nb.network.model import LeNet5
from lenet_nb.reading.rejection import margins
from lenet_nb.training.committed import load_model

pytestmark = pytest.mark.skipif(NODE is None, reason="needs node (v18 or newer) on PATH")

DIGITS = 300
BUDGET = 400_000  # bytes: five nets of 2,578 or 15,098 float32 parameters, base64
# Measured on 300 test digits (fresh networks): LeNet-1's input equal to PyTorch's bit for bit
# (resize.js rounds as PyTorch's fused multiply-adds do; with separate roundings it was 1.8e-7
# off); activations within 7.2e-7 (LeNet-1) and 9.9e-7 (LeNet-4) of PyTorch's, which accumulates
# in float32 where lenet5.js sums in float64; penalties within 3.7e-7 relative, boosted
# LeNet-4's within 3.6e-7. The tolerances leave room for trained weights' larger sums.
INPUT_ATOL = 0.0
ACTIVATION_ATOL = 1e-5
# The committed networks\' larger activations round further apart (2.1e-6 absolute, 9.6e-6
# relative at worst, LeNet-1\'s S4): float32 sums in another order.
ACTIVATION_RTOL = 2e-5
PENALTY_RTOL = 1e-5

DRIVER = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
const [familyUrl, weightsUrl, weightsFile, digitsFile] = process.argv.slice(2);
const { activations } = await import(familyUrl);
const { decodeFamily } = await import(weightsUrl);
vm.runInThisContext(readFileSync(weightsFile, "utf8"), { filename: weightsFile });
const family = decodeFamily(globalThis.FAMILY_WEIGHTS);
const digits = JSON.parse(readFileSync(digitsFile, "utf8"));
const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const out = {};
for (const [name, net] of Object.entries(family)) {
  out[name] = digits.map((digit) => {
    const acts = activations(net, digit);
    const layers = Object.fromEntries(Object.entries(acts)
      .filter(([, v]) => v instanceof Float32Array).map(([k, v]) => [k, b64(v)]));
    return { ...layers, skipped: acts.skipped ?? null };
  });
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    return mnist(train=False, transform=None).data[:DIGITS]


def fresh_family() -> dict:
    """Freshly initialised networks (seeded), the ensemble's skip margin the median of its first
    net's margins on the test digits so that both of its paths are taken."""
    torch.manual_seed(0)
    lenet1, lenet4 = LeNet1().eval(), LeNet4().eval()
    nets = [LeNet4().eval() for _ in range(3)]
    x = network_input(as_digit_pixels(mnist(train=False, transform=None).data[:DIGITS]))
    with torch.no_grad():
        median = float(margins(nets[0](x)).median())
    return {"lenet1": lenet1, "lenet4": lenet4, "boosted-lenet4": BoostedEnsemble(nets, median)}


def committed_family() -> dict:
    return {name: load_model(name) for name in ("lenet1", "lenet4", "boosted-lenet4")}


def run_js(tmp_path, weights_file, digits) -> dict:
    (tmp_path / "digits.json").write_text(json.dumps([d.flatten().tolist() for d in digits]))
    urls = [(SOURCES / name).as_uri() for name in ("family.js", "weights.js")]
    return run_driver(tmp_path, DRIVER, *urls, weights_file, tmp_path / "digits.json", timeout=600)


@pytest.fixture(scope="module", params=["fresh", "committed"])
def family(request, digits, tmp_path_factory):
    """(the PyTorch networks, what family.js computed with their exported weights)."""
    tmp = tmp_path_factory.mktemp(f"family_js_{request.param}")
    if request.param == "committed":
        if not family_available():
            pytest.skip("the family's checkpoints are not committed yet")
        models, weights = committed_family(), FAMILY_OUT
    else:
        models = fresh_family()
        weights = tmp / "family_weights.js"
        weights.write_text(family_script(family_payload(**_arguments(models))))
    return models, run_js(tmp, weights, digits)


def _arguments(models: dict) -> dict:
    return dict(lenet1=models["lenet1"], lenet4=models["lenet4"], boosted=models["boosted-lenet4"])


def python_input(model, digit: torch.Tensor) -> torch.Tensor:
    return network_input(as_digit_pixels(digit[None]), model.input_size, model.digit_size)


@pytest.mark.parametrize("name", ["lenet1", "lenet4"])
def test_every_layer_equals_pytorch(name, family, digits):
    models, js = family
    model = models[name]
    assert len(js[name]) == len(digits)
    for digit, found in zip(digits, js[name]):
        x = python_input(model, digit)
        np.testing.assert_allclose(
            float32(found["input"]), x.flatten().numpy(), rtol=0, atol=INPUT_ATOL
        )
        with torch.no_grad():
            acts = model.activations(x)
        for layer, value in acts.items():
            if layer != "output":
                np.testing.assert_allclose(
                    float32(found[layer]),
                    value.flatten().numpy(),
                    atol=ACTIVATION_ATOL,
                    rtol=ACTIVATION_RTOL,
                    err_msg=layer,
                )
        np.testing.assert_allclose(
            float32(found["output"]), acts["output"].flatten().numpy(), rtol=PENALTY_RTOL
        )


def test_boosted_lenet4_equals_pytorch(family, digits):
    models, js = family
    ensemble = models["boosted-lenet4"]
    x = torch.cat([python_input(ensemble, d) for d in digits])
    with torch.no_grad():
        penalties = ensemble(x).numpy()
        unsure = ensemble.unsure(ensemble.nets[0](x)).numpy()
    found = js["boosted-lenet4"]
    np.testing.assert_allclose(
        np.stack([float32(f["output"]) for f in found]), penalties, rtol=PENALTY_RTOL
    )
    skipped = np.array([f["skipped"] for f in found])
    np.testing.assert_array_equal(skipped, ~unsure)
    if ensemble.confident_margin is not None and np.isfinite(ensemble.confident_margin):
        assert 0 < skipped.sum() < len(skipped)  # both of the rule's paths were taken


def test_family_file_is_the_committed_checkpoints():
    """A retrained family network must come with a regenerated weights file."""
    if not family_available():
        assert not FAMILY_OUT.exists(), "static/family_weights.js without its checkpoints"
        pytest.skip("the family's checkpoints are not committed yet")
    assert FAMILY_OUT.read_text(encoding="utf-8") == family_script(), (
        "static/family_weights.js is stale: regenerate it with `python -m lenet_nb export`"
    )
    assert FAMILY_OUT.stat().st_size <= BUDGET


def test_fresh_family_file_is_under_budget(tmp_path):
    text = family_script(family_payload(**_arguments(fresh_family())))
    assert len(text.encode()) <= BUDGET


def test_a_never_skipping_ensemble_is_written_as_null():
    models = fresh_family()
    models["boosted-lenet4"].confident_margin = float("inf")
    payload = family_payload(**_arguments(models))
    assert payload["ensembles"]["boosted-lenet4"]["confident_margin"] is None
    json.dumps(payload, allow_nan=False)


def test_export_refuses_lenet5():
    with pytest.raises(ValueError, match="not LeNet-1 or LeNet-4"):
        family_network_payload(LeNet5())
