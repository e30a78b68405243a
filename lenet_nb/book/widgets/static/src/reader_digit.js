// The reader's own digit, shared between widgets. A DigitPad announces every digit it reads (the
// event DIGIT_EVENT, with the decoded networks) and keeps the last one in the browser
// (localStorage), so that the widgets on this page and on other chapters offer it as one more
// digit after their stored ones.

import { decide, forward, preprocess } from "./lenet5.js";
import { quantise } from "./paint.js";
import { loadWeights } from "./weights.js";

export const DIGIT_EVENT = "lenet5:digit";
const STORAGE_KEY = "lenet5:reader-digit";

// detail: { pixels (784 grey levels), empty, networks }.
export function announceDigit(root, detail) {
  if (!detail.empty) keepDigit(detail.pixels);
  root.dispatchEvent(new CustomEvent(DIGIT_EVENT, { bubbles: true, detail }));
}

function keepDigit(pixels) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(Array.from(pixels)));
  } catch (err) {
    // No storage: the digit is not kept for the other chapters.
  }
}

export function keptDigit() {
  try {
    const pixels = JSON.parse(localStorage.getItem(STORAGE_KEY));
    return Array.isArray(pixels) && pixels.length === 784 ? pixels : null;
  } catch (err) {
    return null; // no storage (a private window) or something else stored: no reader digit
  }
}

// Call `take(pixels, live, networks)` with the kept digit (live false, no networks), then with
// each one announced (live true, the pad's networks). Returns a function that stops listening.
function follow(take) {
  const kept = keptDigit();
  if (kept) take(kept, false, null);
  const listener = (event) => {
    const { pixels, empty, networks } = event.detail;
    if (!empty) take(pixels, true, networks);
  };
  window.addEventListener(DIGIT_EVENT, listener);
  return () => window.removeEventListener(DIGIT_EVENT, listener);
}

// The explorer and the C3 table: the reader's digit as digit `slot` after the stored ones, its
// maps computed here by the paper's network and quantised as Python quantises the stored ones.
// `onDigit(slot, live)` then shows it (live) or only offers it (kept from another page).
export function followReaderDigit(data, layers, onDigit) {
  const slot = data.labels.length;
  const take = (pixels, live, networks) => {
    const input = preprocess(pixels);
    const acts = forward(networks.paper, input);
    storeDigit(layers, slot, { input, ...acts });
    data.labels[slot] = null;
    data.numbers[slot] = "yours";
    if (data.predictions) data.predictions[slot] = decide(acts.output);
    if (data.penalties) data.penalties[slot] = Array.from(acts.output);
    onDigit(slot, live);
  };
  // A kept digit waits for the book's weights; a live one comes with the pad's (also in a kernel).
  return follow((pixels, live, networks) => {
    if (networks) take(pixels, live, networks);
    else loadWeights().then((loaded) => take(pixels, live, loaded), () => {});
  });
}

// The live panels: the reader's digit as one more source of pixels, after the stored ones.
export function followReaderSource(sources, onDigit) {
  const slot = sources.length;
  return follow((pixels, live) => {
    sources[slot] = { name: "your digit", pixels: Uint8Array.from(pixels) };
    onDigit(slot, live);
  });
}

// Digit `slot` of every per-digit layer in `layers` (those named in `values`), as 0..255 codes
// over each layer's stated range.
function storeDigit(layers, slot, values) {
  for (const [name, layer] of Object.entries(layers)) {
    if (!(name in values)) continue; // prototypes and kernels are not per digit
    const size = layer.maps * layer.height * layer.width;
    if (layer.values.length < (slot + 1) * size) {
      const grown = new Uint8Array((slot + 1) * size);
      grown.set(layer.values.subarray(0, slot * size));
      layer.values = grown;
    }
    for (let i = 0; i < size; i++) {
      layer.values[slot * size + i] = quantise(values[name][i], layer.lo, layer.hi);
    }
  }
}
