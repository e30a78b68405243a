// Strings of MNIST digits composed in the page, as Section VII-B composed the SDNN's training
// strings: the browser's twin of lenet_nb.digits.strings.compose (and of salt_and_pepper and
// random_string). Each 28x28 digit (white ink on black) keeps MNIST's rows, padded by PAD (2)
// into the 32-row field; its horizontal extent is its ink's columns (a grey level above
// INK_THRESHOLD, ink.js); gaps[i] pixels separate the ink of digits i and i + 1 (-1: they
// overlap by a column, the brighter ink wins); MARGIN columns of background either side, the
// width made 32 + 4k. tests/test_sdnn_js.py holds it equal to the Python under node.

import { isInk } from "./ink.js";
import { PAD } from "./lenet5.js";
import { MARGIN } from "./normalise_string.js";
import { HEIGHT, replicatedWidth } from "./sdnn.js";

const SIDE = 28; // an MNIST digit's rows and columns

// ink_columns: the first and one-past-last column of a digit's ink (pixels: 784 grey levels).
export function inkColumns(pixels) {
  let first = -1;
  let end = -1;
  for (let x = 0; x < SIDE; x++) {
    for (let y = 0; y < SIDE; y++) {
      if (isInk(pixels[y * SIDE + x])) {
        if (first < 0) first = x;
        end = x + 1;
        break;
      }
    }
  }
  if (first < 0) throw new Error("a digit without ink has no bounding box");
  return [first, end];
}

// compose: `digits` (each 784 grey levels) side by side, `gaps[i]` pixels between the boxes of
// digits i and i + 1 -> { pixels (32 x width, row by row), width, spans: [[first, end], ...] }.
export function compose(digits, gaps, margin = MARGIN) {
  if (gaps.length !== Math.max(digits.length - 1, 0)) {
    throw new Error(`${digits.length} digits need ${digits.length - 1} gaps, not ${gaps.length}`);
  }
  const columns = digits.map(inkColumns);
  const spans = [];
  let x = margin;
  columns.forEach(([first, end], i) => {
    spans.push([x, x + end - first]);
    x += end - first + (i < gaps.length ? gaps[i] : 0);
  });
  const width = replicatedWidth(spans.length ? spans[spans.length - 1][1] + margin : 2 * margin);
  const pixels = new Uint8Array(HEIGHT * width);
  digits.forEach((digit, i) => {
    const [first, end] = columns[i];
    const [x0] = spans[i];
    for (let y = 0; y < SIDE; y++) {
      for (let c = first; c < end; c++) {
        const at = (y + PAD) * width + x0 + c - first;
        pixels[at] = Math.max(pixels[at], digit[y * SIDE + c]);
      }
    }
  });
  return { pixels, width, spans };
}

// salt_and_pepper: each pixel inverted (v -> 255 - v) with probability `share`; `random()` gives
// uniform numbers in [0, 1) (Math.random by default).
export function saltAndPepper(pixels, share, random = Math.random) {
  return Uint8Array.from(pixels, (v) => (random() < share ? 255 - v : v));
}

// An integer from lo to hi, both included.
function between(lo, hi, random) {
  return lo + Math.floor(random() * (hi - lo + 1));
}

// random_string: `length` digits drawn from `digits` (an array of 784-level digits, with their
// `labels`), gaps drawn from gaps[0]..gaps[1] (both included), and `noise` salt and pepper:
// { pixels, width, spans, labels, picks }.
export function randomString(digits, labels, length, { gaps, noise = 0, random = Math.random }) {
  const picks = Array.from({ length }, () => between(0, digits.length - 1, random));
  const spacing = Array.from({ length: length - 1 }, () => between(gaps[0], gaps[1], random));
  const composed = compose(picks.map((i) => digits[i]), spacing);
  const pixels = noise ? saltAndPepper(composed.pixels, noise, random) : composed.pixels;
  return { ...composed, pixels, gaps: spacing, labels: picks.map((i) => labels[i]), picks };
}
