// LeNet-5's family in the reader's browser (Section III-C-2): lenet_nb/network/family.py, layer
// by layer, with lenet5.js's layers (the storage and float32 rounding are theirs), and the input
// each network reads. The weights are decoded by weights.js from static/family_weights.js, which
// a page loads only when the reader picks one of these networks; each decoded network says which
// it is (`architecture`), and `activations` reads a digit with any of the page's networks.
// tests/test_family_js.py holds every layer and the penalties equal to PyTorch's.
//
//   const nets = await loadFamilyWeights();   // weights.js: {lenet1, lenet4, "boosted-lenet4"}
//   const acts = activations(nets.lenet1, pixels28);   // pixels28: 784 grey levels 0..255
//   decide(acts.output);                               // lenet5.js: the smallest penalty's class

import {
  allInputs, convolution, euclideanRBF, forward, fullConnection, marginOf, preprocess,
  scaleToPaperRange, subsampling
} from "./lenet5.js";
import { resizeAntialiased } from "./resize.js";

const f32 = Math.fround;
const UNIT = f32(1 / 255);

// ---------------------------------------------------------------------------------------------
// The inputs (lenet_nb/digits/inputs.py network_input)

// LeNet-1's field (lenet_nb/digits/mnist.py shrink_to_16): the 28x28 digit scaled by 22/28
// (torchvision's antialiased Resize(22)), so that MNIST's 20x20 digit box becomes about 16x16,
// padded back to 28x28 with background, then the paper's range.
export const SHRUNK_FIELD = 22;
const FIELD = 28;

export function lenet1Input(greyLevels) {
  if (greyLevels.length !== FIELD * FIELD) {
    throw new Error(`LeNet-1 reads a 28x28 digit (784 grey levels), not ${greyLevels.length}`);
  }
  const unit = Float32Array.from(greyLevels, (v) => f32(v * UNIT));
  const shrunk = resizeAntialiased(unit, FIELD, FIELD, SHRUNK_FIELD, SHRUNK_FIELD);
  const border = (FIELD - SHRUNK_FIELD) / 2;
  const field = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < SHRUNK_FIELD; y++) {
    field.set(shrunk.subarray(y * SHRUNK_FIELD, (y + 1) * SHRUNK_FIELD), (y + border) * FIELD + border);
  }
  return scaleToPaperRange(field);
}

// ---------------------------------------------------------------------------------------------
// The networks (Section III-C-2; family.py's LeNet1 and LeNet4)

// LeNet-1 on its 28x28 input: C1 4x24x24, S2 4x12x12, C3 12x8x8 (net.tables.C3), S4 12x4x4,
// F5 10 (fully connected to S4's 192 values), output the 10 distances to the place codes.
export function lenet1Forward(net, input28) {
  const C1 = convolution(input28, 28, allInputs(1, 4), net.C1.weight, net.C1.bias);
  const S2 = subsampling(C1, 24, net.S2.weight, net.S2.bias);
  const C3 = convolution(S2, 12, net.tables.C3, net.C3.weight, net.C3.bias);
  const S4 = subsampling(C3, 8, net.S4.weight, net.S4.bias);
  const F5 = fullConnection(S4, net.F5.weight, net.F5.bias);
  const output = euclideanRBF(F5, net.output.prototypes);
  return { input: input28, C1, S2, C3, S4, F5, output };
}

// LeNet-4 on its 32x32 input: C1 4x28x28, S2 8x14x14 (two subsamplings of each C1 map,
// net.sources.S2), C3 16x10x10, S4 16x5x5, C5 120 (each unit over four S4 maps, net.tables.C5),
// F6 10, output the 10 distances to the place codes.
export function lenet4Forward(net, input32) {
  const C1 = convolution(input32, 32, allInputs(1, 4), net.C1.weight, net.C1.bias);
  const S2 = subsampling(C1, 28, net.S2.weight, net.S2.bias, 28, net.sources.S2);
  const C3 = convolution(S2, 14, net.tables.C3, net.C3.weight, net.C3.bias);
  const S4 = subsampling(C3, 10, net.S4.weight, net.S4.bias);
  const C5 = convolution(S4, 5, net.tables.C5, net.C5.weight, net.C5.bias);
  const F6 = fullConnection(C5, net.F6.weight, net.F6.bias);
  const output = euclideanRBF(F6, net.output.prototypes);
  return { input: input32, C1, S2, C3, S4, C5, F6, output };
}

// Boosted LeNet-4 (family.py's BoostedEnsemble): the three nets' penalties added; when the
// first net's margin reaches `confidentMargin` the other two are not run and its penalties count
// three times (null: the other two always run). PyTorch's float32: 3 p1, or p1 + (p2 + p3).
// -> the first net's layers, `output` the ensemble's penalties, `members` each run net's.
export function boostedForward(ensemble, input32) {
  const [first, ...others] = ensemble.nets.map((net) => () => lenet4Forward(net, input32));
  const acts = first();
  const threshold = ensemble.confidentMargin;
  const sure = threshold !== null && marginOf(acts.output) >= f32(threshold);
  if (sure) {
    return { ...acts, output: acts.output.map((p) => f32(ensemble.nets.length * p)),
             members: [acts.output], skipped: true };
  }
  const members = [acts.output, ...others.map((run) => run().output)];
  const rest = members.slice(1).reduce((sum, p) => sum.map((v, i) => f32(v + p[i])));
  return { ...acts, output: acts.output.map((p, i) => f32(p + rest[i])), members, skipped: false };
}

// Any of the page's networks on a digit in MNIST's form (784 grey levels; LeNet-5 and LeNet-4
// also take 32x32): every layer's output by the paper's names, `output` the ten penalties.
export function activations(net, greyLevels) {
  switch (net.architecture) {
    case "lenet1":
      return lenet1Forward(net, lenet1Input(greyLevels));
    case "lenet4":
      return lenet4Forward(net, preprocess(greyLevels));
    case "boosted":
      return boostedForward(net, preprocess(greyLevels));
    default: {
      const input = preprocess(greyLevels);
      return { input, ...forward(net, input) };
    }
  }
}

// The network whose layers the page draws for `net`: the ensemble's first.
export function drawnArchitecture(net) {
  return net.architecture === "boosted" ? "lenet4" : net.architecture || "lenet5";
}
