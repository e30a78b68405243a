// The training and test digits as the network takes them: 28x28 grey levels (uint8, MNIST's),
// padded to 32x32 and mapped to the paper's range -0.1 .. 1.175 by lenet5.js's own preprocess,
// whose value depends on the grey level alone: one table of 256 values, looked up per pixel.

import { PAD, preprocess } from "../lenet5.js";

const PIXELS = 28 * 28;
const SIDE = 28 + 2 * PAD;

// preprocess of a 32x32 field holding every grey level once: LEVELS[g] is the input value of g.
export const LEVELS = Float64Array.from(
  preprocess(Uint8Array.from({ length: SIDE * SIDE }, (_, i) => i % 256)).subarray(0, 256));

// {count, pixels (count x 784 uint8), labels (uint8)} -> load(index, input): writes digit
// `index` into `input` (1024 values), as preprocess(pixels) would.
export function digitLoader(digits) {
  return (index, input) => {
    input.fill(LEVELS[0]);
    const from = index * PIXELS;
    for (let y = 0; y < 28; y++) {
      const row = (y + PAD) * SIDE + PAD;
      for (let x = 0; x < 28; x++) input[row + x] = LEVELS[digits.pixels[from + y * 28 + x]];
    }
  };
}
