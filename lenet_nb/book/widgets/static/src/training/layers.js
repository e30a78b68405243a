// LeNet-5's layers for training in the page: each layer's forward pass, and the transpose of its
// weighted sums, which gives the gradient (back-propagation) and, fed squared quantities, the
// Gauss-Newton curvature of Appendix C (Eqs. 23-27). lenet_nb/network/layers.py and
// lenet_nb/training/curvature.py, layer by layer; lenet5.js computes the same forward pass for
// reading digits (tests/test_train_js.py holds the two equal, and these to PyTorch's autograd).
//
// Storage as lenet5.js's: maps first, then rows, then columns; kernels output map by output map,
// in the order of that map's row of the layer's table. Everything here is float64
// (Float64Array), written into arrays the caller allocates once, so that a training step
// allocates nothing.
//
// A trainable layer computes a = linear(x; w, b), y = f(a). The transpose of `linear`,
// `transpose(x, w, da, gw, gb, dx)`, adds sum da * x into gw (over the connections that share
// each weight), sum da into gb, and writes sum w * da into dx (skipped when dx is null):
//   gradient:  transpose(x,   w,   dE/dy  f'(a),    dE/dw,   dE/db,   dE/dx)       (back-prop)
//   curvature: transpose(x^2, w^2, d2E/dy2 f'(a)^2, d2E/dw2, d2E/db2, d2E/dx2)     (Eqs. 23-26)
// as curvature.py evaluates `linear` on squared quantities and lets autograd transpose it.

import { SQUASH_A, SQUASH_S } from "../lenet5.js";

const KERNEL = 5;
const TAPS = KERNEL * KERNEL;

// f(a) = A tanh(S a) (Eq. 6), and f'(a) = A S (1 - tanh^2(S a)) written with f(a) itself,
// S (A - f^2 / A), so that the backward pass needs only the outputs the forward pass stored.
export function squash(a) {
  return SQUASH_A * Math.tanh(SQUASH_S * a);
}

export function squashDerivative(y) {
  return SQUASH_S * (SQUASH_A - (y * y) / SQUASH_A);
}

// y = f(a) in place over `a`.
function squashAll(a) {
  for (let k = 0; k < a.length; k++) a[k] = squash(a[k]);
}

// da = dy * f'(a)^power from the outputs y: power 1 for the gradient, 2 for the curvature (Eq. 25).
export function throughSquash(y, dy, da, power) {
  for (let k = 0; k < y.length; k++) {
    const d = squashDerivative(y[k]);
    da[k] = dy[k] * (power === 2 ? d * d : d);
  }
}

// ---------------------------------------------------------------- convolution (C1, C3)

// ConvolutionLayer / SparseConvolutionLayer: `table[o]` lists the input maps (`size` x `size`)
// output map o sums over, with shared 5x5 kernels, one bias per map, no padding. Writes y.
export function convolution(x, size, table, w, b, y) {
  const side = size - KERNEL + 1;
  const area = side * side;
  let kernel = 0;
  for (let o = 0; o < table.length; o++) {
    const out = o * area;
    for (let p = 0; p < area; p++) y[out + p] = b[o];
    for (const map of table[o]) {
      const taps = kernel++ * TAPS;
      // One kernel row (5 taps) at a time, over every output unit: a = sum of w x.
      for (let dy = 0; dy < KERNEL; dy++) {
        const t = taps + dy * KERNEL;
        const w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3], w4 = w[t + 4];
        const from = (map * size + dy) * size;
        for (let r = 0; r < side; r++) {
          const s = from + r * size;
          const d = out + r * side;
          for (let c = 0; c < side; c++) {
            const k = s + c;
            y[d + c] += w0 * x[k] + w1 * x[k + 1] + w2 * x[k + 2] + w3 * x[k + 3] + w4 * x[k + 4];
          }
        }
      }
    }
  }
  squashAll(y);
}

// The transpose of the convolution's weighted sums (see the top of this file). dx, if given, is
// overwritten.
export function convolutionTranspose(x, size, table, w, da, gw, gb, dx) {
  const side = size - KERNEL + 1;
  const area = side * side;
  if (dx) dx.fill(0);
  let kernel = 0;
  for (let o = 0; o < table.length; o++) {
    const out = o * area;
    let sum = 0;
    for (let p = 0; p < area; p++) sum += da[out + p];
    gb[o] += sum;
    for (const map of table[o]) {
      const taps = kernel++ * TAPS;
      for (let dy = 0; dy < KERNEL; dy++) {
        const t = taps + dy * KERNEL;
        const from = (map * size + dy) * size;
        // dE/dw of one kernel row: each tap's sum over the units that share it.
        let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0;
        for (let r = 0; r < side; r++) {
          const s = from + r * size;
          const d = out + r * side;
          for (let c = 0; c < side; c++) {
            const v = da[d + c];
            const k = s + c;
            g0 += v * x[k];
            g1 += v * x[k + 1];
            g2 += v * x[k + 2];
            g3 += v * x[k + 3];
            g4 += v * x[k + 4];
          }
        }
        gw[t] += g0;
        gw[t + 1] += g1;
        gw[t + 2] += g2;
        gw[t + 3] += g3;
        gw[t + 4] += g4;
        if (dx) transposeRow(w, t, da, out, side, dx, from, size);
      }
    }
  }
}

// dE/dx of the inputs one kernel row (5 taps at `t`) reaches, from the units' da.
function transposeRow(w, t, da, out, side, dx, from, size) {
  const w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3], w4 = w[t + 4];
  for (let r = 0; r < side; r++) {
    const s = from + r * size;
    const d = out + r * side;
    for (let c = 0; c < side; c++) {
      const v = da[d + c];
      const k = s + c;
      dx[k] += w0 * v;
      dx[k + 1] += w1 * v;
      dx[k + 2] += w2 * v;
      dx[k + 3] += w3 * v;
      dx[k + 4] += w4 * v;
    }
  }
}

// ---------------------------------------------------------------- subsampling (S2, S4)

// SubsamplingLayer: the four inputs of each 2x2 block added, times the map's coefficient, plus
// its bias, squashed. Maps are `size` x `size` (even).
export function subsampling(x, size, w, b, y) {
  const half = size / 2;
  for (let m = 0; m < b.length; m++) {
    for (let r = 0; r < half; r++) {
      for (let c = 0; c < half; c++) {
        const top = (m * size + 2 * r) * size + 2 * c;
        const sum = x[top] + x[top + 1] + x[top + size] + x[top + size + 1];
        y[(m * half + r) * half + c] = squash(sum * w[m] + b[m]);
      }
    }
  }
}

export function subsamplingTranspose(x, size, w, da, gw, gb, dx) {
  const half = size / 2;
  for (let m = 0; m < gb.length; m++) {
    let gCoefficient = 0;
    let gBias = 0;
    for (let r = 0; r < half; r++) {
      for (let c = 0; c < half; c++) {
        const d = da[(m * half + r) * half + c];
        const top = (m * size + 2 * r) * size + 2 * c;
        gCoefficient += d * (x[top] + x[top + 1] + x[top + size] + x[top + size + 1]);
        gBias += d;
        if (dx) {
          const back = w[m] * d;
          dx[top] = dx[top + 1] = dx[top + size] = dx[top + size + 1] = back;
        }
      }
    }
    gw[m] += gCoefficient;
    gb[m] += gBias;
  }
}

// ---------------------------------------------------------------- full connection (C5, F6)

// FullConnectionLayer (F6): y_j = f(b_j + sum_i w_ji x_i), w out x in. C5 too: its 5x5 kernels
// cover all of S4's 5x5 maps, one position, so the convolution is this dot product of each
// kernel with S4 in C order (lenet_nb/network/fast.py computes it so).
export function fullConnection(x, w, b, y) {
  const n = x.length;
  for (let j = 0; j < b.length; j++) {
    let a = b[j];
    const row = j * n;
    for (let i = 0; i < n; i++) a += w[row + i] * x[i];
    y[j] = a;
  }
  squashAll(y);
}

export function fullConnectionTranspose(x, w, da, gw, gb, dx) {
  const n = x.length;
  if (dx) dx.fill(0);
  for (let j = 0; j < gb.length; j++) {
    const d = da[j];
    gb[j] += d;
    const row = j * n;
    for (let i = 0; i < n; i++) gw[row + i] += d * x[i];
    if (dx) for (let i = 0; i < n; i++) dx[i] += w[row + i] * d;
  }
}

// ---------------------------------------------------------------- the output layer

// EuclideanRBF (Eq. 7): y_i = sum_j (x_j - w_ij)^2 with the fixed prototypes w (10 x 84).
export function euclideanRBF(x, prototypes, y) {
  const n = x.length;
  for (let i = 0; i < y.length; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += (x[j] - prototypes[i * n + j]) ** 2;
    y[i] = sum;
  }
}

// dE/dx_j = sum_i dE/dy_i 2 (x_j - w_ij). The prototypes are not trained.
export function euclideanRBFBackward(x, prototypes, dy, dx) {
  const n = x.length;
  dx.fill(0);
  for (let i = 0; i < dy.length; i++) {
    const g = 2 * dy[i];
    for (let j = 0; j < n; j++) dx[j] += g * (x[j] - prototypes[i * n + j]);
  }
}

// Where the curvature recursion starts (curvature.py's RBF_CURVATURE): d2 y_D / dx_j^2 = 2, the
// correct class's penalty's (for Eq. 9 the competition term's curvature is dropped).
export const RBF_CURVATURE = 2;
