// The network the reader trained in the page (training_widget.js, "use this network"), kept in
// the browser (localStorage) like the reader's digit (reader_digit.js), so that the drawing pad of
// "Your own digits" (digit_pad.js), on this page or another, can read with it. Stored in the
// format of the book's weights file (weights.js decodes it): float32, little-endian, base64.

import { PARAMETERS } from "./training/network.js";
import { decodeNetwork, WEIGHTS_FORMAT } from "./weights.js";

export const READER_NETWORK = "yours"; // its name among the pad's networks
export const NETWORK_EVENT = "lenet5:network"; // announced on this page when one is kept
const STORAGE_KEY = "lenet5:reader-network";

function float32Base64(values) {
  const view = new DataView(new ArrayBuffer(4 * values.length));
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  const bytes = new Uint8Array(view.buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(binary);
}

// A training network (training/network.js) as the weights file stores one: {c3_table,
// parameters: {"C1.weight": {shape, data}, ..., "output.prototypes": ...}}.
export function storedNetwork(net) {
  const parameters = {};
  for (const [layer, name, shape] of PARAMETERS) {
    parameters[`${layer}.${name}`] = { shape, data: float32Base64(net[layer][name]) };
  }
  const prototypes = net.output.prototypes;
  parameters["output.prototypes"] = { shape: [10, prototypes.length / 10],
                                      data: float32Base64(prototypes) };
  return { c3_table: net.c3Table, parameters };
}

// Keep `net` (with `about`: how it was trained, {patterns, mode, seed}); false if the browser
// keeps nothing (a private window, storage full).
export function keepNetwork(net, about) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ format: WEIGHTS_FORMAT, about,
                                                       network: storedNetwork(net) }));
  } catch (err) {
    return false;
  }
  window.dispatchEvent(new CustomEvent(NETWORK_EVENT));
  return true;
}

// {net (decoded as weights.js decodes the book's networks), about}, or null if none is kept.
export function keptNetwork() {
  try {
    const kept = JSON.parse(localStorage.getItem(STORAGE_KEY));
    if (!kept || kept.format !== WEIGHTS_FORMAT) return null;
    return { net: decodeNetwork(kept.network), about: kept.about };
  } catch (err) {
    return null; // no storage, or something else stored under the key
  }
}

// Call `changed()` whenever a network is kept, on this page or (through the storage event) in
// another tab. Returns a function that stops listening.
export function followKeptNetwork(changed) {
  const onStorage = (event) => {
    if (event.key === STORAGE_KEY) changed();
  };
  window.addEventListener(NETWORK_EVENT, changed);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(NETWORK_EVENT, changed);
    window.removeEventListener("storage", onStorage);
  };
}
