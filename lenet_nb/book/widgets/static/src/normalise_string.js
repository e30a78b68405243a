// A drawing of a string of digits made into the 32 x W image the SDNN reads: the browser's twin
// of lenet_nb.digits.strings.normalise_string. Steps 1 to 4 are normalise.js's (bounded work,
// polarity, the paper lifted to 0, the ink's box cropped with its strongest ink at 255); then the
// crop is scaled to BOX (20) rows, its aspect ratio kept (width rounded as Python's round, half to
// even, at least 1), with PIL's BILINEAR on a float32 image, rounded half up to bytes (the half
// added in float32, as NumPy does), and placed in rows 6 to 25 of a 32-row image with MARGIN (16)
// columns of background either side, the width made 32 + 4k. tests/test_sdnn_js.py holds it
// equal to the Python under node.
//
// Grey levels are 0-255 (any array), row by row, `width` x `height`, as normalise.js takes them.

import { BOX, stages, resizeTo } from "./normalise.js";
import { HEIGHT, WINDOW, replicatedWidth } from "./sdnn.js";

export const MARGIN = WINDOW / 2; // background left and right of a string

// Python's round() of a float: to the nearest integer, halves to the even one.
function roundHalfEven(x) {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

// The 32 x W uint8 image (white ink on black) and what was found:
// { pixels (Uint8Array, row by row), width (W), height (32), empty (no ink: a blank 32 x 32),
//   inverted, ink: {left, width} (the scaled ink's columns in the image) }.
export function normaliseString(grey, width, height, polarity = "auto") {
  const { inverted, cropped } = stages(grey, width, height, polarity);
  if (!cropped) {
    return { pixels: new Uint8Array(HEIGHT * WINDOW), width: WINDOW, height: HEIGHT, empty: true,
      inverted, ink: null };
  }
  const inkWidth = Math.max(1, roundHalfEven((cropped.width * BOX) / cropped.height));
  const scaled = resizeTo(new Float32Array(cropped.values), cropped.width, cropped.height,
    inkWidth, BOX);
  const outWidth = replicatedWidth(inkWidth + 2 * MARGIN);
  const pixels = new Uint8Array(HEIGHT * outWidth);
  const f32 = Math.fround; // NumPy adds 0.5 to the float32 image in float32
  const top = (HEIGHT - BOX) >> 1;
  for (let y = 0; y < BOX; y++) {
    for (let x = 0; x < inkWidth; x++) {
      const v = Math.floor(f32(scaled.values[y * inkWidth + x] + 0.5));
      pixels[(top + y) * outWidth + MARGIN + x] = Math.min(Math.max(v, 0), 255);
    }
  }
  return { pixels, width: outWidth, height: HEIGHT, empty: false, inverted,
    ink: { left: MARGIN, width: inkWidth } };
}
