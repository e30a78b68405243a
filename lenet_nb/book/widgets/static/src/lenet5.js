// LeNet-5's forward pass in the reader's browser: lenet_nb/network/layers.py, layer by layer, in
// plain JavaScript. The network only, an ES module with no imports: the trained weights are
// decoded and loaded by weights.js (from static/lenet5_weights.js in a built page, or from the
// widget's own message in a live kernel).
//
// Storage: a layer's output is a Float32Array, maps first, then rows, then columns (C order, as
// PyTorch's N x maps x H x W without N). Each unit's sum is accumulated in a JS number (float64)
// and rounded to float32 when stored, as PyTorch stores each layer in float32.
//
//   const net = (await loadWeights()).paper;           // weights.js
//   const acts = forward(net, preprocess(pixels28));   // pixels28: 784 grey levels 0..255
//   decide(acts.output);                                // the class with the smallest penalty

// ---------------------------------------------------------------------------------------------
// The input (Section II-B, lenet_nb/digits/mnist.py)

// "the background level (white) corresponds to a value of -0.1 and the foreground (black)
// corresponds to 1.175". MNIST's 0 is background, 255 is ink.
export const BACKGROUND = -0.1;
export const FOREGROUND = 1.175;
export const PAD = 2; // 28x28 -> 32x32

// The float32 steps of torchvision's ToDtype(scale=True) then Normalize(mean, std) in
// lenet_nb/digits/mnist.py, so the input equals PyTorch's bit for bit: x / 255 is
// x * f32(1/255), then (x - mean) / std.
const f32 = Math.fround;
const UNIT = f32(1 / 255);
const MEAN = f32(-BACKGROUND / (FOREGROUND - BACKGROUND));
const STD = f32(1 / (FOREGROUND - BACKGROUND));

// pad_to_32: a 28x28 field centred in 32x32, the border filled with background (0).
export function padTo32(pixels28) {
  const size = 28 + 2 * PAD;
  const out = new Float32Array(size * size);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) out[(y + PAD) * size + x + PAD] = pixels28[y * 28 + x];
  }
  return out;
}

// scale_to_paper_range: [0, 1] -> [-0.1, 1.175].
export function scaleToPaperRange(unit) {
  return unit.map((v) => f32(f32(v - MEAN) / STD));
}

// A digit as lenet_nb.as_model_input prepares it: 784 (28x28, padded) or 1024 (32x32) grey
// levels 0..255, white ink on black as in MNIST -> the network's 32x32 input.
export function preprocess(greyLevels) {
  const unit = Float32Array.from(greyLevels, (v) => f32(v * UNIT));
  if (unit.length === 28 * 28) return scaleToPaperRange(padTo32(unit));
  if (unit.length === 32 * 32) return scaleToPaperRange(unit);
  throw new Error(`a digit of ${unit.length} pixels: expected 28x28 (784) or 32x32 (1024)`);
}

// ---------------------------------------------------------------------------------------------
// The layers (Section II-B, Appendix A; lenet_nb/network/layers.py)

// Appendix A, Eq. 6: f(a) = A tanh(S a), A = 1.7159, S = 2/3, so that f(1) = 1 and f(-1) = -1.
export const SQUASH_A = 1.7159;
export const SQUASH_S = 2 / 3;

export function squash(a) {
  return SQUASH_A * Math.tanh(SQUASH_S * a);
}

// ConvolutionLayer and SparseConvolutionLayer (Section II-A): shared 5x5 kernels, one bias per
// feature map, no padding. `table[o]` lists the input maps output map o sums over, and the kernels
// are stored in that order, output map by output map: for C1 and C5 every map sees all inputs
// (kernel o * inMaps + i, PyTorch's out x in x 5 x 5), for C3 only its row of Table I.
// Input maps are `size` x `size`, or `size` rows of `width` columns when `width` is given (the
// replicated network of sdnn.js, whose maps are wider than high).
export function convolution(input, size, table, weight, bias, width = size) {
  const k = 5;
  const outSize = size - k + 1;
  const outWidth = width - k + 1;
  const out = new Float32Array(table.length * outSize * outWidth);
  let kernel = 0; // where map o's first kernel is in `weight`, counted in kernels
  for (let o = 0; o < table.length; o++) {
    const inputs = table[o];
    for (let y = 0; y < outSize; y++) {
      for (let x = 0; x < outWidth; x++) {
        let a = bias[o];
        for (let n = 0; n < inputs.length; n++) {
          a += patchDot(input, inputs[n], size, width, y, x, weight, (kernel + n) * k * k);
        }
        out[(o * outSize + y) * outWidth + x] = squash(a);
      }
    }
    kernel += inputs.length;
  }
  return out;
}

// The sum of one 5x5 kernel (at `offset` in `weight`) times the 5x5 patch of input map `map`
// (`size` rows of `width` columns) whose top-left corner is (y, x).
function patchDot(input, map, size, width, y, x, weight, offset) {
  let sum = 0;
  for (let dy = 0; dy < 5; dy++) {
    const row = (map * size + y + dy) * width + x;
    for (let dx = 0; dx < 5; dx++) sum += weight[offset + dy * 5 + dx] * input[row + dx];
  }
  return sum;
}

// Every map sees every input map: the table of a dense convolution (C1, C5).
export function allInputs(inMaps, outMaps) {
  const inputs = Array.from({ length: inMaps }, (_, i) => i);
  return Array.from({ length: outMaps }, () => inputs);
}

// SubsamplingLayer, S2 and S4: "The four inputs to a unit ... are added, then multiplied by a
// trainable coefficient, and added to a trainable bias. The result is passed through a sigmoidal
// function." 2x2 receptive fields that do not overlap; one coefficient and one bias per map.
// Maps are `size` x `size`, or `size` rows of `width` columns when `width` is given. Map m
// subsamples input map `sources[m]` (by default map m): LeNet-4's S2 subsamples each C1 map twice.
export function subsampling(input, size, weight, bias, width = size, sources = null) {
  const half = size / 2;
  const halfWidth = width / 2;
  const out = new Float32Array(bias.length * half * halfWidth);
  for (let m = 0; m < bias.length; m++) {
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < halfWidth; x++) {
        const top = ((sources ? sources[m] : m) * size + 2 * y) * width + 2 * x;
        const sum = input[top] + input[top + 1] + input[top + width] + input[top + width + 1];
        out[(m * half + y) * halfWidth + x] = squash(sum * weight[m] + bias[m]);
      }
    }
  }
  return out;
}

// FullConnectionLayer, F6: "computes a dot product between its input vector and its weight
// vector, to which a bias is added", then the squashing function. weight is out x in.
export function fullConnection(input, weight, bias) {
  const n = input.length;
  const out = new Float32Array(bias.length);
  for (let j = 0; j < bias.length; j++) {
    let a = bias[j];
    for (let i = 0; i < n; i++) a += weight[j * n + i] * input[i];
    out[j] = squash(a);
  }
  return out;
}

// EuclideanRBF, the output layer (Section II-B, Eq. 7): y_i = sum_j (x_j - w_ij)^2, the squared
// distance between the F6 vector and the fixed 7x12 prototype of class i (10 x 84).
export function euclideanRBF(input, prototypes) {
  const n = input.length;
  const out = new Float32Array(prototypes.length / n);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += (input[j] - prototypes[i * n + j]) ** 2;
    out[i] = sum;
  }
  return out;
}

// EuclideanRBF.decide: the class with the smallest penalty.
export function decide(penalties) {
  let best = 0;
  for (let i = 1; i < penalties.length; i++) if (penalties[i] < penalties[best]) best = i;
  return best;
}

// The smallest penalty's class (the first of equals, as argmin) and the class of the next.
export function twoSmallest(penalties) {
  const best = decide(penalties);
  let second = best === 0 ? 1 : 0;
  for (let i = 0; i < penalties.length; i++) {
    if (i !== best && penalties[i] < penalties[second]) second = i;
  }
  return [best, second];
}

// The margin, second-smallest penalty minus the smallest: how sure the network is (the rejection
// rule's measure, and boosting's skip rule). In float32, as PyTorch subtracts the penalties.
export function marginOf(penalties) {
  const [best, second] = twoSmallest(penalties);
  return Math.fround(penalties[second] - penalties[best]);
}

// ---------------------------------------------------------------------------------------------
// LeNet-5 (Fig. 2; lenet_nb/network/model.py)

export const LAYER_NAMES = ["C1", "S2", "C3", "S4", "C5", "F6", "output"];

// Every layer's output for one preprocessed 32x32 input (Float32Array of 1024), keyed by the
// paper's names as LeNet5.activations: C1 6x28x28, S2 6x14x14, C3 16x10x10, S4 16x5x5,
// C5 120 (120x1x1), F6 84, output the 10 penalties.
export function forward(net, input32) {
  const C1 = convolution(input32, 32, allInputs(1, 6), net.C1.weight, net.C1.bias);
  const S2 = subsampling(C1, 28, net.S2.weight, net.S2.bias);
  const C3 = convolution(S2, 14, net.c3Table, net.C3.weight, net.C3.bias);
  const S4 = subsampling(C3, 10, net.S4.weight, net.S4.bias);
  const C5 = convolution(S4, 5, allInputs(16, 120), net.C5.weight, net.C5.bias);
  const F6 = fullConnection(C5, net.F6.weight, net.F6.bias);
  const output = euclideanRBF(F6, net.output.prototypes);
  return { C1, S2, C3, S4, C5, F6, output };
}
