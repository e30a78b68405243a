// Where training starts, and the random choices it makes, from one seed
// (lenet_nb/network/initialisation.py, "authors"; lenet_nb/training/train.py). The generator is
// not PyTorch's: the page draws from the same distributions, not the same numbers.

import { createNetwork, PARAMETER_COUNT } from "./network.js";

// mulberry32: a small, fast 32-bit generator; uniform numbers in [0, 1).
export function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// 0 .. n-1 in a random order (Fisher-Yates): the constant random order of the training digits,
// and each pass's 500 curvature patterns.
export function permutation(n, random) {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [order[i], order[k]] = [order[k], order[i]];
  }
  return order;
}

// The fan-in of the unit each kernel (or weight row) feeds: 25 in C1, 25 x (S2 maps it sums) in
// C3 (Table I), 400 in C5, 120 in F6.
function fanIns(c3Table) {
  return {
    C1: () => 25,
    C3: (kernel) => 25 * c3Table[mapOfKernel(c3Table, kernel)].length,
    C5: () => 400,
    F6: () => 120,
  };
}

function mapOfKernel(table, kernel) {
  let seen = 0;
  for (let o = 0; o < table.length; o++) {
    seen += table[o].length;
    if (kernel < seen) return o;
  }
  throw new Error(`kernel ${kernel} is not in the table`);
}

// "authors": weights uniform in +-1/sqrt(F), F the fan-in of the unit they feed; biases 0;
// subsampling coefficients `coefficient` (0.5). Returns a network (network.js createNetwork).
export function authorsInitialisation(c3Table, prototypes, coefficient, random) {
  const net = createNetwork(c3Table, prototypes, new Float64Array(PARAMETER_COUNT));
  const rowLength = { C1: 25, C3: 25, C5: 400, F6: 120 };
  for (const [layer, fanIn] of Object.entries(fanIns(c3Table))) {
    const weight = net[layer].weight;
    for (let k = 0; k < weight.length; k++) {
      const bound = 1 / Math.sqrt(fanIn(Math.floor(k / rowLength[layer])));
      weight[k] = (2 * random() - 1) * bound;
    }
  }
  net.S2.weight.fill(coefficient);
  net.S4.weight.fill(coefficient);
  return net;
}
