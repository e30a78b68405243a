// Values to colours. Maps travel from Python quantised (lenet_nb.book.widgets.base.quantise):
// bytes 0..255 over a stated range, base64, looked up in 256-colour tables of the matplotlib
// colormaps the static figures use. Maps computed in the page are quantised here the same way.

// base64 -> bytes.
export function bytes(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

// The data's colour tables by colormap name, decoded: 768 bytes (256 RGB triples) each.
export function colourTables(data) {
  const tables = {};
  for (const [name, b64] of Object.entries(data.colour_tables)) tables[name] = bytes(b64);
  return tables;
}

// A value's code: `lo`..`hi` linearly onto 0..255, clipped (Python rounds halves to even, this
// up: a code can differ by one at an exact half).
export function quantise(value, lo, hi) {
  const code = Math.round(((value - lo) / (hi - lo)) * 255);
  return Math.max(0, Math.min(255, code));
}

// The canvas's width x height pixels from `codes`, starting at `offset`, through `table`.
export function paintCodes(canvas, codes, offset, table) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let p = 0; p < canvas.width * canvas.height; p++) {
    const code = codes[offset + p];
    image.data.set(table.subarray(3 * code, 3 * code + 3), 4 * p);
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

// The same from values in `lo`..`hi`.
export function paintValues(canvas, values, offset, lo, hi, table) {
  const size = canvas.width * canvas.height;
  const codes = new Uint8Array(size);
  for (let p = 0; p < size; p++) codes[p] = quantise(values[offset + p], lo, hi);
  paintCodes(canvas, codes, 0, table);
}
