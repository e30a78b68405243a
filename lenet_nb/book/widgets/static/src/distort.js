// The book's digit transformations in the browser, an ES module with no imports.
//
// Two families, each the twin of a Python function and held equal to it by
// tests/test_distort_js.py (to within one grey level; the noise exactly):
//
// * distort(image, params): the paper's affine distortions (Section III-C), as
//   lenet_nb.distortions.distort computes them with torchvision's v2.functional.affine;
// * the transformations of LeCun's LeNet-5 demonstrations, one strength each, as
//   lenet_nb.invariance computes them: translation, rotation, scale, squeeze, stroke, noise.
//
// An image is 784 grey levels (0 background .. 255 ink), row by row, as a Uint8Array or a plain
// array; every function returns a new Uint8Array and leaves its input alone.

export const SIZE = 28;
const CENTRE = (SIZE - 1) / 2; // 13.5: pixel i sits at i - 13.5 from the field's centre

// --- the affine maps ---------------------------------------------------------------------------
//
// Coordinates are pixel centres measured from the centre of the field, y pointing down. A map
// moves a point p of the digit to L p + t, L = [a, b, c, d] = [[a, b], [c, d]].

// The distortion's linear part, lenet_nb.distortions._linear_parts:
// L = scale * Shear(shear) * Squeeze(squeeze), Shear(h) = [[1, -h], [0, 1]],
// Squeeze(k) = [[sqrt(k), 0], [0, 1 / sqrt(k)]].
export function matrix({ scale = 1, squeeze = 1, shear = 0 } = {}) {
  const k = Math.sqrt(squeeze);
  return [scale * k, -scale * shear / k, 0, scale / k];
}

// torch.round: halves go to the even neighbour (Math.round would send them up).
export function roundHalfEven(v) {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// Bilinear value at (x, y) in pixel indices, pixels beyond the field reading 0: torch's
// grid_sample (mode "bilinear", padding "zeros"), the four corners in its order.
function bilinear(image, x, y) {
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  const at = (i, j) => (i >= 0 && i < SIZE && j >= 0 && j < SIZE ? image[j * SIZE + i] : 0);
  return at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy)
       + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
}

// Every output pixel p reads the input at L^-1 (p - t): what v2.functional.affine does (its
// inverse matrix, then grid_sample with align_corners=False), rounded back to grey levels.
// lenet_nb.distortions.warp; the determinant of L must be positive.
export function warp(image, L, translate = [0, 0]) {
  const [a, b, c, d] = L;
  const det = a * d - b * c;
  if (!(det > 0)) throw new Error(`warp needs a map of positive determinant, not ${L}`);
  const [ia, ib, ic, id] = [d / det, -b / det, -c / det, a / det];
  const [tx, ty] = translate;
  const out = new Uint8Array(SIZE * SIZE);
  for (let row = 0; row < SIZE; row++) {
    for (let col = 0; col < SIZE; col++) {
      const x = col - CENTRE - tx, y = row - CENTRE - ty;
      const v = bilinear(image, ia * x + ib * y + CENTRE, ic * x + id * y + CENTRE);
      out[row * SIZE + col] = roundHalfEven(v);
    }
  }
  return out;
}

// One distortion of the paper's: params has the fields of DistortionParams (translate_x,
// translate_y, scale, squeeze, shear; missing ones are the identity's).
export function distort(image, params = {}) {
  const { translate_x = 0, translate_y = 0 } = params;
  return warp(image, matrix(params), [translate_x, translate_y]);
}

// --- LeCun's demonstrations: one strength each (lenet_nb.invariance) -----------------------

// Shift right by `pixels` (left when negative).
export function translation(image, pixels) {
  return warp(image, [1, 0, 0, 1], [pixels, 0]);
}

// Turn by `degrees` about the field's centre, anticlockwise as the reader sees it.
export function rotation(image, degrees) {
  const r = degrees * Math.PI / 180;
  const c = Math.cos(r), s = Math.sin(r);
  return warp(image, [c, s, -s, c]);
}

// Enlarge by `factor` about the field's centre (shrink when below 1).
export function scale(image, factor) {
  return warp(image, [factor, 0, 0, factor]);
}

// Multiply the width-to-height ratio by `factor` at constant area: below 1 compresses
// horizontally and elongates vertically, above 1 the reverse (the distortions' squeeze).
export function squeeze(image, factor) {
  return warp(image, matrix({ squeeze: factor }));
}

// One grey-level dilation (max) or erosion (min) over each pixel and its four neighbours,
// pixels beyond the field reading 0 (background).
function cross(image, pick) {
  const out = new Uint8Array(SIZE * SIZE);
  const at = (i, j) => (i >= 0 && i < SIZE && j >= 0 && j < SIZE ? image[j * SIZE + i] : 0);
  for (let j = 0; j < SIZE; j++) {
    for (let i = 0; i < SIZE; i++) {
      out[j * SIZE + i] = pick(at(i, j), at(i - 1, j), at(i + 1, j), at(i, j - 1), at(i, j + 1));
    }
  }
  return out;
}

// Thicker strokes for width > 0 (dilation), thinner for width < 0 (erosion), in pixels added on
// each side: floor(|width|) whole steps of `cross`, then the fraction f left over blends one step
// more, a + f * (b - a), rounded half to even.
export function stroke(image, width) {
  const pick = width > 0 ? Math.max : Math.min;
  const steps = Math.floor(Math.abs(width));
  const f = Math.abs(width) - steps;
  let a = Uint8Array.from(image);
  for (let k = 0; k < steps; k++) a = cross(a, pick);
  if (f === 0) return a;
  const b = cross(a, pick);
  return a.map((v, p) => roundHalfEven(v + f * (b[p] - v)));
}

// mulberry32, a 32-bit generator small enough to write identically in Python
// (lenet_nb.invariance.mulberry32): a function returning uniform numbers in [0, 1).
export function mulberry32(seed) {
  let a = seed | 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Salt-and-pepper noise: each pixel, row by row, draws two numbers u, v from mulberry32(seed);
// it is hit when u < fraction, and a hit pixel becomes ink (255) when v < 1/2, background (0)
// otherwise. Both numbers are drawn for every pixel, so a larger fraction adds hits to a smaller
// one's with the same seed.
export function noise(image, fraction, seed = 0) {
  const next = mulberry32(seed);
  const out = Uint8Array.from(image);
  for (let p = 0; p < SIZE * SIZE; p++) {
    const u = next(), v = next();
    if (u < fraction) out[p] = v < 0.5 ? 255 : 0;
  }
  return out;
}

// The demonstrations by the names lenet_nb.invariance.TRANSFORMATIONS gives them.
export const TRANSFORMATIONS = { translation, rotation, scale, squeeze, stroke, noise };

// transform("rotation", image, 30); the seed is read by "noise" only.
export function transform(name, image, strength, seed = 0) {
  const f = TRANSFORMATIONS[name];
  if (!f) throw new Error(`unknown transformation ${name}; one of ${Object.keys(TRANSFORMATIONS)}`);
  return name === "noise" ? f(image, strength, seed) : f(image, strength);
}

// Several demonstrations at once, as lenet_nb.invariance.compose: each named in `strengths` and
// not at its `identities` value, in the order of TRANSFORMATIONS, the noise with seed 0.
export function compose(image, strengths, identities) {
  let out = Uint8Array.from(image);
  for (const name of Object.keys(TRANSFORMATIONS)) {
    if (name in strengths && strengths[name] !== identities[name]) {
      out = transform(name, out, strengths[name]);
    }
  }
  return out;
}
