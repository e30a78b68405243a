// Any digit image made into the 28x28 digit LeNet-5 reads, as MNIST's digits were made: the
// browser's twin of lenet_nb/digits/normalise.py, step for step (its docstring states each rule
// and why); what counts as ink is ink.js's. tests/test_normalise.py runs it under node on the
// same images as the Python and checks that the two agree to within one grey level.
//
// Grey levels are 0-255 (a Float32Array, Float64Array, Uint8Array or plain array), row by row,
// `width` x `height`. The result is 784 bytes, row by row: white digit on black, centred.

import { isInk } from "./ink.js";

export const FIELD = 28; // MNIST's field
export const BOX = 20; // the size-normalisation box
export const CENTRE = 14; // where the centre of mass goes, in pixel indices (row, column)
export const MAX_SIDE = 1024; // longer images are block-averaged down first
export const POLARITIES = ["auto", "light-on-dark", "dark-on-light"];

// The 28x28 digit (a Uint8Array of 784 values).
export function normaliseDigit(grey, width, height, polarity = "auto") {
  return normalise(grey, width, height, polarity).pixels;
}

// The digit with what was found: { pixels, empty (no ink: pixels are blank), inverted }.
export function normalise(grey, width, height, polarity = "auto") {
  const { inverted, cropped } = stages(grey, width, height, polarity);
  if (!cropped) return { pixels: new Uint8Array(FIELD * FIELD), empty: true, inverted };
  // Step 5: the longer side to 20 pixels, PIL's BILINEAR on a float32 image.
  const digit = resize(new Float32Array(cropped.values), cropped.width, cropped.height);
  // Steps 6 and 7: centre of mass to (14, 14) by a whole-pixel shift; round to bytes.
  return { pixels: centre(digit.values, digit.width, digit.height), empty: false, inverted };
}

// Steps 1 to 4, as the Python's stages: { inverted, ink: {values, width, height} (ink high, the
// paper at 0), cropped: {values, width, height} (the ink's box, its strongest ink 255), absent
// when there is no ink }. Values are float64. Also the first steps of normalise_string.js.
export function stages(grey, width, height, polarity = "auto") {
  if (!POLARITIES.includes(polarity)) {
    throw new Error(`polarity ${polarity}: expected one of ${POLARITIES.join(", ")}`);
  }
  if (!(width >= 1 && height >= 1) || grey.length !== width * height) {
    throw new Error(`${grey.length} grey levels for a ${width} x ${height} image`);
  }
  // Step 1: bounded work.
  let image = bounded(grey, width, height);
  // Step 2: polarity. A light border is paper, so the ink is dark: invert.
  const inverted =
    polarity === "dark-on-light" || (polarity === "auto" && median(border(image)) > 127.5);
  if (inverted) image = { ...image, values: image.values.map((v) => 255 - v) };
  // Step 3: the paper's level (the border's median) subtracted; ink is what stands above it.
  const paper = median(border(image));
  const lifted = image.values.map((v) => Math.max(v - paper, 0));
  const found = { inverted, ink: { values: lifted, width: image.width, height: image.height } };
  const box = inkBox(lifted, image.width, image.height);
  if (box === null) return found;
  // Step 4: crop to the ink's box; the strongest ink becomes 255.
  let peak = 0;
  for (const v of lifted) peak = Math.max(peak, v);
  const gain = 255 / peak;
  const values = crop(lifted, image.width, box).map((v) => v * gain);
  return { ...found, cropped: { values, width: box.width, height: box.height } };
}

// Grey with transparency composited onto a background, as pixels.flatten_alpha: white unless the
// visible pixels are light (alpha-weighted mean above 127.5), then black; rounded half up.
export function flattenAlpha(grey, alpha) {
  let visible = 0;
  let weighted = 0;
  for (let i = 0; i < grey.length; i++) {
    visible += alpha[i] / 255;
    weighted += (grey[i] * alpha[i]) / 255;
  }
  const background = visible > 0 && weighted / visible > 127.5 ? 0 : 255;
  const out = new Float64Array(grey.length);
  for (let i = 0; i < grey.length; i++) {
    const opacity = alpha[i] / 255;
    out[i] = Math.floor(grey[i] * opacity + background * (1 - opacity) + 0.5);
  }
  return out;
}

// Step 1: an image longer than MAX_SIDE shrunk by the integer factor f that brings it within
// it, each pixel the mean of an f x f block; rows and columns that do not fill a block are
// dropped, and a side shorter than f is one block.
function bounded(grey, width, height) {
  const f = Math.ceil(Math.max(width, height) / MAX_SIDE);
  if (f === 1) return { values: Float64Array.from(grey), width, height };
  const fy = Math.min(f, height);
  const fx = Math.min(f, width);
  const h = Math.floor(height / fy);
  const w = Math.floor(width / fx);
  const values = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < fy; dy++) {
        for (let dx = 0; dx < fx; dx++) sum += grey[(y * fy + dy) * width + x * fx + dx];
      }
      values[y * w + x] = sum / (fy * fx);
    }
  }
  return { values, width: w, height: h };
}

// The outermost rows and columns, each pixel once.
function border({ values, width, height }) {
  const out = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || y === height - 1 || x === 0 || x === width - 1) out.push(values[y * width + x]);
    }
  }
  return out;
}

// NumPy's median: the middle value, or the mean of the two middle ones.
function median(values) {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The rows and columns holding ink (ink.js: more than INK_THRESHOLD above the paper), or null.
function inkBox(lifted, width, height) {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (isInk(lifted[y * width + x])) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return null;
  return { top, left, width: right - left + 1, height: bottom - top + 1 };
}

function crop(values, width, box) {
  const out = new Float64Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      out[y * box.width + x] = values[(box.top + y) * width + box.left + x];
    }
  }
  return out;
}

// Step 5: the longer side to BOX pixels, the other in proportion (rounded half up, at least 1).
// PIL's Image.resize(size, BILINEAR) on a mode 'F' image: horizontal pass, then vertical; an
// axis whose size does not change is left alone; each pass stores float32, as PIL does.
function resize(values, width, height) {
  const longer = Math.max(width, height);
  const outWidth = scaled(width, longer);
  const outHeight = scaled(height, longer);
  return resizeTo(values, width, height, outWidth, outHeight);
}

// PIL's Image.resize((outWidth, outHeight), BILINEAR) on a mode 'F' image (a Float32Array):
// horizontal pass, then vertical; an axis whose size does not change is left alone.
export function resizeTo(values, width, height, outWidth, outHeight) {
  let current = values;
  if (outWidth !== width) current = resampleRows(current, width, height, outWidth);
  if (outHeight !== height) current = resampleColumns(current, outWidth, height, outHeight);
  return { values: current, width: outWidth, height: outHeight };
}

function scaled(side, longer) {
  return Math.max(1, Math.floor((side * BOX) / longer + 0.5));
}

// PIL's triangle filter (support 1).
function bilinear(x) {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

// PIL's precompute_coeffs for one axis: for each output pixel, the first input pixel it reads
// and the normalised weights of the inputs it reads. When shrinking, the filter is widened by
// the scale (the anti-aliasing).
function coefficients(inSize, outSize) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // BILINEAR's support is 1
  const ss = 1 / filterScale;
  const taps = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0); // C's (int): towards zero
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const weights = new Float64Array(Math.max(xmax, 0));
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      weights[x] = bilinear((x + xmin - center + 0.5) * ss);
      total += weights[x];
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[x] /= total;
    taps.push({ start: xmin, weights });
  }
  return taps;
}

function resampleRows(values, width, height, outWidth) {
  const taps = coefficients(width, outWidth);
  const out = new Float32Array(outWidth * height);
  for (let y = 0; y < height; y++) {
    for (let xx = 0; xx < outWidth; xx++) {
      const { start, weights } = taps[xx];
      let sum = 0;
      for (let x = 0; x < weights.length; x++) sum += values[y * width + start + x] * weights[x];
      out[y * outWidth + xx] = sum;
    }
  }
  return out;
}

function resampleColumns(values, width, height, outHeight) {
  const taps = coefficients(height, outHeight);
  const out = new Float32Array(width * outHeight);
  for (let yy = 0; yy < outHeight; yy++) {
    const { start, weights } = taps[yy];
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let y = 0; y < weights.length; y++) sum += values[(start + y) * width + x] * weights[y];
      out[yy * width + x] = sum;
    }
  }
  return out;
}

// Steps 6 and 7: the digit in the 28x28 field, shifted by whole pixels so that its centre of
// mass is at (14, 14) to within half a pixel (kept inside the field), rounded half up.
function centre(values, width, height) {
  let mass = 0;
  let rowMoment = 0;
  let colMoment = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      mass += v;
      rowMoment += v * y;
      colMoment += v * x;
    }
  }
  const top = shift(rowMoment / mass, height);
  const left = shift(colMoment / mass, width);
  const field = new Uint8Array(FIELD * FIELD);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.floor(values[y * width + x] + 0.5);
      field[(top + y) * FIELD + left + x] = Math.min(Math.max(v, 0), 255);
    }
  }
  return field;
}

function shift(centreOfMass, side) {
  const offset = Math.floor(CENTRE - centreOfMass + 0.5);
  return Math.min(Math.max(offset, 0), FIELD - side);
}
