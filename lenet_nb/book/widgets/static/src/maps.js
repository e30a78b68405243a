// The maps Python computed and sent (lenet_nb.book.widgets.base.layer_data): each layer's values
// quantised to bytes over its range, digits first, then maps, rows, columns.

import { mapCanvas } from "./dom.js";
import { bytes, colourTables, paintCodes } from "./paint.js";

// The layers of `data` by name, decoded once: values[((digit * maps) + map) * H * W + pixel].
export function decodeLayers(data) {
  const tables = colourTables(data);
  const layers = {};
  for (const layer of data.layers) {
    layers[layer.name] = { ...layer, values: bytes(layer.data), table: tables[layer.cmap] };
  }
  return layers;
}

// A canvas for one map of `layer`.
export function layerCanvas(layer, scale, label, className) {
  return mapCanvas(layer.width, layer.height, scale, label, className);
}

// Map `map` of digit `digit` onto `canvas`, which must have the layer's shape.
export function paintMap(canvas, layer, digit, map) {
  const size = layer.width * layer.height;
  paintCodes(canvas, layer.values, (digit * layer.maps + map) * size, layer.table);
  canvas.dataset.digit = digit;
  canvas.dataset.map = map;
}
