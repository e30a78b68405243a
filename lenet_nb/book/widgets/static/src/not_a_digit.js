// Not a digit: the page's twin of lenet_nb.reading.not_a_digit. A normalised digit (784 grey
// levels, MNIST's form) may be read only if its strong ink (grey level >= rule.ink_level) covers
// rule.ink_pixels[0]..[1] pixels and its pieces minus holes (the Euler number, from 2x2 windows
// as lenet_nb.digits.ink counts it) lie in rule.euler_number[0]..[1]. `rule` is Python's
// not_a_digit.rule(), sent in the widget's data: the bounds have one home, the committed results.
// tests/test_not_a_digit_js.py holds the statistics and the reasons equal to Python's.

const FIELD = 28;

// { inkPixels, eulerNumber } of a FIELD x FIELD digit.
export function inkStatistics(pixels, inkLevel, size = FIELD) {
  const ink = (y, x) => (y >= 0 && x >= 0 && y < size && x < size && pixels[y * size + x] >= inkLevel ? 1 : 0);
  let inkPixels = 0;
  let quads = 0; // Q1 - Q3 - 2 QD (Gray's bit quads)
  for (let y = -1; y < size; y++) {
    for (let x = -1; x < size; x++) {
      const [a, b, c, d] = [ink(y, x), ink(y, x + 1), ink(y + 1, x), ink(y + 1, x + 1)];
      const n = a + b + c + d;
      if (n === 1) quads += 1;
      else if (n === 3) quads -= 1;
      else if (n === 2 && a === d) quads -= 2;
      if (y >= 0 && x >= 0) inkPixels += a;
    }
  }
  return { inkPixels, eulerNumber: Math.floor(quads / 4) };
}

// Why `pixels` is not a digit, in Python's words, or null when it may be one.
export function notADigit(pixels, rule) {
  const { inkPixels, eulerNumber } = inkStatistics(pixels, rule.ink_level);
  const [lo, hi] = rule.ink_pixels;
  const [least, most] = rule.euler_number;
  if (inkPixels < lo || inkPixels > hi) {
    return `${inkPixels < lo ? "too little" : "too much"} ink for a digit (${inkPixels} ` +
      `strong-ink pixels; MNIST's training digits have ${lo} to ${hi})`;
  }
  if (eulerNumber < least || eulerNumber > most) {
    return `${eulerNumber < least ? "too many loops" : "too many pieces"} for a digit (its ` +
      `ink's pieces minus holes: ${eulerNumber}; MNIST's training digits: ${least} to ${most})`;
  }
  return null;
}
