// LeNet-5 replicated over a wide input, the Space Displacement Neural Network of Section VII, in
// the reader's browser: lenet_nb/network/replicated.py, layer by layer. The same layers as
// lenet5.js, applied to a 32-high input 32 + 4k wide: C1 to C5 are convolutions that simply slide
// further, giving C1 6 x 28 x (28 + 4k), S2 6 x 14 x (14 + 2k), C3 16 x 10 x (10 + 2k),
// S4 16 x 5 x (5 + k) and C5 120 x 1 x (1 + k); F6 and the RBF output, which see C5's 120 units,
// are the same full connection and distances applied at each of C5's 1 + k positions. Output k is
// the network applied to the window of columns 4k to 4k + 31.
//
// Storage as in lenet5.js: maps first, then rows, then columns (PyTorch's N x maps x H x W
// without N), float32, each sum accumulated in float64. tests/test_sdnn_js.py holds the
// penalties equal to PyTorch's penalty_sequence under node.
//
//   const net = decodeSdnn(globalThis.SDNN_WEIGHTS).sdnn;  // or (await loadSdnnWeights()).sdnn
//   (weights.js: static/sdnn_weights.js, loaded only by the pages that read strings)
//   const acts = replicatedForward(net, asInput(pixels, width));  // pixels: 32 x width, 0..255
//   acts.penalties[k]                                // position k's 11 penalties (10 is blank)

import {
  BACKGROUND, FOREGROUND, convolution, euclideanRBF, fullConnection, subsampling
} from "./lenet5.js";

export const HEIGHT = 32; // the network's input field: 32 rows
export const WINDOW = 32; // one position sees 32 columns
export const STRIDE = 4; // C1 to C5 shrink the width by 4 per output: one output per 4 pixels
export const BLANK = 10; // the eleventh class: no character centred here
export const CLASSES = 11;

const f32 = Math.fround;
const SCALE = f32(FOREGROUND - BACKGROUND);
const OFFSET = f32(BACKGROUND);

// The smallest width >= `width` of the form 32 + 4k (k >= 0): lenet_nb.digits.strings's.
export function replicatedWidth(width) {
  return WINDOW + STRIDE * Math.max(0, Math.ceil((width - WINDOW) / STRIDE));
}

// The number of outputs for an input `width` columns wide (32 + 4k gives 1 + k).
export function positionsOf(width) {
  return 1 + Math.floor((width - WINDOW) / STRIDE);
}

// The column each output is centred on (output k sees columns 4k .. 4k + 31): output_centres.
export function outputCentres(width) {
  return Array.from({ length: positionsOf(width) }, (_, k) => STRIDE * k + WINDOW / 2);
}

// lenet_nb.digits.strings.as_input: a 32 x width uint8 image (0 background, 255 ink), row by
// row, in the paper's range, with PyTorch's float32 steps: x / 255, then x * 1.275 - 0.1.
export function asInput(pixels, width) {
  if (pixels.length !== HEIGHT * width) {
    throw new Error(`${pixels.length} pixels for a ${HEIGHT} x ${width} input`);
  }
  return Float32Array.from(pixels, (v) => f32(f32(f32(v / 255) * SCALE) + OFFSET));
}

function checkWidth(width) {
  if (!(Number.isInteger(width) && width >= WINDOW && (width - WINDOW) % STRIDE === 0)) {
    throw new Error(`an input ${width} columns wide: the SDNN takes 32 + 4k (replicatedWidth)`);
  }
}

// Every input map feeds every output map: the table of a dense convolution (C1, C5).
function denseTable(inMaps, outMaps) {
  const inputs = Array.from({ length: inMaps }, (_, i) => i);
  return Array.from({ length: outMaps }, () => inputs);
}

// Column p of `maps` maps of `positions` columns (one row each): C5's 120 units at position p.
function column(values, maps, positions, p) {
  const out = new Float32Array(maps);
  for (let m = 0; m < maps; m++) out[m] = values[m * positions + p];
  return out;
}

// replicated_activations: every layer's output on one 32 x width input (asInput's), keyed by
// the paper's names. C1 .. C5 are feature maps (maps x rows x columns; C5 is 120 x positions);
// F6 is 84 x positions and output 11 x positions, one column per position, as the Python's
// N x units x positions without N. Also: `penalties`, one Float32Array of 11 per position
// (penalty_sequence's positions x classes), `positions`, and each layer's `shapes`.
export function replicatedForward(net, input, width = input.length / HEIGHT) {
  checkWidth(width);
  if (input.length !== HEIGHT * width) {
    throw new Error(`${input.length} values for a ${HEIGHT} x ${width} input`);
  }
  const w1 = width - 4; // C1: 28 x (28 + 4k)
  const w2 = w1 / 2; // S2: 14 x (14 + 2k)
  const w3 = w2 - 4; // C3: 10 x (10 + 2k)
  const w4 = w3 / 2; // S4: 5 x (5 + k)
  const positions = w4 - 4; // C5: 1 x (1 + k)
  const C1 = convolution(input, 32, denseTable(1, 6), net.C1.weight, net.C1.bias, width);
  const S2 = subsampling(C1, 28, net.S2.weight, net.S2.bias, w1);
  const C3 = convolution(S2, 14, net.c3Table, net.C3.weight, net.C3.bias, w2);
  const S4 = subsampling(C3, 10, net.S4.weight, net.S4.bias, w3);
  const units = net.C5.bias.length;
  const C5 = convolution(S4, 5, denseTable(16, units), net.C5.weight, net.C5.bias, w4);
  // F6 and the RBF at every position: a 1x1 convolution each.
  const features = net.F6.bias.length;
  const classes = net.output.prototypes.length / features;
  const F6 = new Float32Array(features * positions);
  const output = new Float32Array(classes * positions);
  const penalties = [];
  for (let p = 0; p < positions; p++) {
    const f6 = fullConnection(column(C5, units, positions, p), net.F6.weight, net.F6.bias);
    const rbf = euclideanRBF(f6, net.output.prototypes);
    for (let j = 0; j < features; j++) F6[j * positions + p] = f6[j];
    for (let i = 0; i < classes; i++) output[i * positions + p] = rbf[i];
    penalties.push(rbf);
  }
  const shapes = {
    C1: [6, 28, w1], S2: [6, 14, w2], C3: [16, 10, w3], S4: [16, 5, w4], C5: [units, 1, positions],
    F6: [features, positions], output: [classes, positions],
  };
  return { C1, S2, C3, S4, C5, F6, output, penalties, positions, shapes };
}

// penalty_sequence: position k's penalties (11 per position) for a 32 x width uint8 image.
export function penaltySequence(net, pixels, width) {
  return replicatedForward(net, asInput(pixels, width), width).penalties;
}
