// torchvision's Resize(size, antialias=True) of a float32 image (lenet_nb/digits/mnist.py's
// shrink_to_16, LeNet-1's input), as PyTorch's CPU kernel computes it (ATen's
// UpSampleKernel.cpp, the antialiased "separable" bilinear path, itself Pillow's): each output
// pixel a weighted sum of the inputs under a triangle filter stretched by the scale, the weights
// normalised to sum to 1; the rows first (along each row), then the columns. Every step in
// float32 as there, each multiply-add rounded once as the compiled loop's fused ones are (the
// product of two float32 is exact in a JS number): tests/test_family_js.py finds the result
// equal to PyTorch's, bit for bit, on 300 test digits.

const f32 = Math.fround;

// Bilinear's filter: the triangle 1 - |x| on (-1, 1).
function triangle(x) {
  const a = Math.abs(x);
  return a < 1 ? f32(1 - a) : 0;
}

// For each of `outSize` outputs along one axis of `inSize` inputs: { first, weights }.
export function resizeWeights(inSize, outSize) {
  const scale = f32(inSize / outSize);
  const downscaling = scale >= 1;
  const support = downscaling ? scale : 1; // bilinear's half-width 1, stretched when shrinking
  const invscale = downscaling ? f32(1 / scale) : 1;
  return Array.from({ length: outSize }, (_, i) => {
    const center = f32(scale * (i + 0.5));
    const first = Math.max(Math.trunc(f32(center - support) + 0.5), 0);
    const last = Math.min(Math.trunc(f32(center + support) + 0.5), inSize);
    const raw = [];
    let total = 0;
    for (let j = first; j < last; j++) {
      const w = triangle(f32((f32(j - center) + 0.5) * invscale));
      raw.push(w);
      total = f32(total + w);
    }
    return { first, weights: raw.map((w) => (total !== 0 ? f32(w / total) : w)) };
  });
}

// One axis: `lines` lines of `inSize` values, value i of line l at `along(l, i, inSize)`, each
// resized to `outSize` values.
function resizeAxis(input, lines, inSize, outSize, along) {
  const taps = resizeWeights(inSize, outSize);
  const out = new Float32Array(lines * outSize);
  for (let l = 0; l < lines; l++) {
    for (let o = 0; o < outSize; o++) {
      const { first, weights } = taps[o];
      let sum = f32(input[along(l, first, inSize)] * weights[0]);
      for (let k = 1; k < weights.length; k++) {
        sum = f32(sum + input[along(l, first + k, inSize)] * weights[k]);
      }
      out[along(l, o, outSize)] = sum;
    }
  }
  return out;
}

// A `height` x `width` image (row by row) resized to `outHeight` x `outWidth`.
export function resizeAntialiased(image, height, width, outHeight, outWidth) {
  const rowsDone = resizeAxis(image, height, width, outWidth, (row, x, n) => row * n + x);
  return resizeAxis(rowsDone, outWidth, height, outHeight, (column, y) => y * outWidth + column);
}
