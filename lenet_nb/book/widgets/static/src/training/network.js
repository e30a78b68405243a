// LeNet-5 as training sees it (lenet_nb/network/model.py, lenet_nb/training/sdlm.py): every
// trainable parameter in one Float64Array, in PyTorch's `model.parameters()` order, with a view
// per layer; the forward pass that keeps every layer's output; the gradient of a loss for one
// pattern (back-propagation); and the Gauss-Newton diagonal h_kk summed over patterns
// (Appendix C). Gradients and curvatures live in arrays of the same layout, so that SDLM's update
// (sdlm.js) is one loop over all 60,000 parameters.

import {
  convolution, convolutionTranspose, euclideanRBF, euclideanRBFBackward, fullConnection,
  fullConnectionTranspose, RBF_CURVATURE, subsampling, subsamplingTranspose, throughSquash,
} from "./layers.js";

// Each parameter tensor: [layer, name, PyTorch's shape]. C3's weight holds only Table I's 60
// connected kernels (SparseConvolutionLayer).
export const PARAMETERS = [
  ["C1", "weight", [6, 1, 5, 5]], ["C1", "bias", [6]],
  ["S2", "weight", [6]], ["S2", "bias", [6]],
  ["C3", "weight", [60, 5, 5]], ["C3", "bias", [16]],
  ["S4", "weight", [16]], ["S4", "bias", [16]],
  ["C5", "weight", [120, 16, 5, 5]], ["C5", "bias", [120]],
  ["F6", "weight", [84, 120]], ["F6", "bias", [84]],
];
export const TRAINABLE = ["C1", "S2", "C3", "S4", "C5", "F6"];
// Each layer's output, as lenet5.js's forward returns it; "input" is the 32x32 digit.
const SIZES = { input: 1024, C1: 4704, S2: 1176, C3: 1600, S4: 400, C5: 120, F6: 84, output: 10 };
const C1_TABLE = Array.from({ length: 6 }, () => [0]);

function count(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

export const PARAMETER_COUNT = PARAMETERS.reduce((n, [, , shape]) => n + count(shape), 0);

// Views of `values` (PARAMETER_COUNT long) by layer: {C1: {weight, bias}, ...}, and by
// parameter: [{layer, name, shape, offset, values}].
export function viewsOf(values) {
  const layers = {};
  const tensors = [];
  let offset = 0;
  for (const [layer, name, shape] of PARAMETERS) {
    const view = values.subarray(offset, offset + count(shape));
    layers[layer] = { ...layers[layer], [name]: view };
    tensors.push({ layer, name, shape, offset, values: view });
    offset += view.length;
  }
  return { layers, tensors };
}

// Where each layer's parameters lie in the flat array: {C1: [start, end), ...}.
export function layerRanges() {
  const ranges = {};
  for (const { layer, offset, values } of viewsOf(new Float64Array(PARAMETER_COUNT)).tensors) {
    const [start] = ranges[layer] || [offset];
    ranges[layer] = [start, offset + values.length];
  }
  return ranges;
}

// A network to train: {params, C1: {weight, bias}, ..., output: {prototypes}, c3Table}, the
// shape lenet5.js's forward reads too. `prototypes`: the 10 x 84 fixed RBF centres.
export function createNetwork(c3Table, prototypes, params = new Float64Array(PARAMETER_COUNT)) {
  return { params, ...viewsOf(params).layers, output: { prototypes: Float64Array.from(prototypes) },
           c3Table };
}

function buffers() {
  return Object.fromEntries(Object.entries(SIZES).map(([k, n]) => [k, new Float64Array(n)]));
}

// Arrays one pattern's forward and backward passes reuse: every layer's output (acts), and the
// derivatives flowing back at each layer's output (d) and pre-activation (da).
export function workspace() {
  return { acts: buffers(), d: buffers(), da: buffers(), squared: buffers() };
}

// Every layer's output for `ws.acts.input` (the 32x32 digit, already preprocessed).
export function forward(net, ws) {
  const a = ws.acts;
  convolution(a.input, 32, C1_TABLE, net.C1.weight, net.C1.bias, a.C1);
  subsampling(a.C1, 28, net.S2.weight, net.S2.bias, a.S2);
  convolution(a.S2, 14, net.c3Table, net.C3.weight, net.C3.bias, a.C3);
  subsampling(a.C3, 10, net.S4.weight, net.S4.bias, a.S4);
  fullConnection(a.S4, net.C5.weight, net.C5.bias, a.C5);
  fullConnection(a.C5, net.F6.weight, net.F6.bias, a.F6);
  euclideanRBF(a.F6, net.output.prototypes, a.output);
  return a.output;
}

// Back through every trainable layer, F6 to C1: from the derivative at a layer's output
// (d[layer]) to its pre-activation's (da[layer], through f'), then by the transpose of its
// weighted sums to its parameters' (added into `into[layer]`, views by layer of a flat array)
// and its input's (d of the layer below). `power` 1: the gradient, with x and w as they are;
// power 2: the Gauss-Newton curvature, with x^2 and w^2 (`x`, `w`) and f'^2.
function backThroughLayers(net, ws, into, power, x, w) {
  const { acts, d, da } = ws;
  const squash = (layer) => throughSquash(acts[layer], d[layer], da[layer], power);
  squash("F6");
  fullConnectionTranspose(x.C5, w.F6.weight, da.F6, into.F6.weight, into.F6.bias, d.C5);
  squash("C5");
  fullConnectionTranspose(x.S4, w.C5.weight, da.C5, into.C5.weight, into.C5.bias, d.S4);
  squash("S4");
  subsamplingTranspose(x.C3, 10, w.S4.weight, da.S4, into.S4.weight, into.S4.bias, d.C3);
  squash("C3");
  convolutionTranspose(x.S2, 14, net.c3Table, w.C3.weight, da.C3, into.C3.weight, into.C3.bias,
                       d.S2);
  squash("S2");
  subsamplingTranspose(x.C1, 28, w.S2.weight, da.S2, into.S2.weight, into.S2.bias, d.C1);
  squash("C1");
  convolutionTranspose(x.input, 32, C1_TABLE, w.C1.weight, da.C1, into.C1.weight, into.C1.bias,
                       null);
}

// Adds dE/dw for the pattern whose forward pass is in ws.acts, given dE/dy at the output
// (`outputGradient`, 10 values), into `gradient` (views by layer of a flat array: viewsOf).
export function backward(net, ws, outputGradient, gradient) {
  euclideanRBFBackward(ws.acts.F6, net.output.prototypes, outputGradient, ws.d.F6);
  backThroughLayers(net, ws, gradient, 1, ws.acts, net);
}

// The squares of a network's weights (the curvature's transposes use them); computed once per
// estimate, since the weights do not change during it.
export function squaredWeights(net) {
  return createNetwork(net.c3Table, net.output.prototypes, net.params.map((w) => w * w));
}

// Adds the Gauss-Newton diagonal d2E/dw_k^2 of the pattern in ws.acts into `h` (views by layer):
// the recursion of sdlm.gauss_newton_diagonal: 2 at the RBF's inputs, then each layer back to C1.
export function addCurvature(net, squared, ws, h) {
  ws.d.F6.fill(RBF_CURVATURE);
  for (const [layer, values] of Object.entries(ws.acts)) {
    const sq = ws.squared[layer];
    for (let k = 0; k < values.length; k++) sq[k] = values[k] * values[k];
  }
  backThroughLayers(net, ws, h, 2, ws.squared, squared);
}
