// What counts as ink, for every widget: a grey level more than INK_THRESHOLD above the paper's.
// Python's lenet_nb.digits.normalise.INK_THRESHOLD is the rule's home; tests/test_normalise.py
// fails when this copy differs from it.

export const INK_THRESHOLD = 32; // grey levels (of 255) above the paper's

// `lifted`: a grey level with the paper's level already subtracted (0 is paper).
export function isInk(lifted) {
  return lifted > INK_THRESHOLD;
}

// Whether a digit in MNIST's form (white on black, so the paper is 0) holds any ink: what
// normalise.js would find in it, and what a transformed digit that was pushed out of the field,
// thinned away or scaled to nothing lacks.
export function hasInk(pixels) {
  for (const v of pixels) if (isInk(v)) return true;
  return false;
}
