// LeNet-5's trained weights in the page: decoding the payload that lenet_nb.book.widgets.export
// writes (static/lenet5_weights.js, or a live widget's message) into the typed arrays
// lenet5.js's forward reads, and loading it once per page. Kept apart from lenet5.js so that
// the network reads as the paper's layers and nothing else.

export const WEIGHTS_FORMAT = "lenet5-weights/1";

// base64 of little-endian float32 values -> Float32Array.
export function float32FromBase64(text) {
  const binary = atob(text);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  return Float32Array.from({ length: binary.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

// One stored network ({c3_table, parameters: {"C1.weight": {shape, data}, ...}}) -> typed arrays
// by layer, as forward reads them: {C1: {weight, bias}, ..., output: {prototypes}, c3Table}.
export function decodeNetwork(stored) {
  const net = { c3Table: stored.c3_table, shapes: {} };
  for (const [key, { shape, data }] of Object.entries(stored.parameters)) {
    const [layer, name] = key.split(".");
    const values = float32FromBase64(data);
    if (values.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`LeNet-5 weights: ${key} holds ${values.length} values, not [${shape}]`);
    }
    net[layer] = { ...net[layer], [name]: values };
    net.shapes[key] = shape;
  }
  return net;
}

// The whole payload (globalThis.LENET5_WEIGHTS, or the live widget's message) -> {paper, distorted}.
export function decodeNetworks(payload) {
  if (!payload || payload.format !== WEIGHTS_FORMAT) {
    throw new Error(`LeNet-5 weights: format ${payload && payload.format}, expected ` +
      `${WEIGHTS_FORMAT}; regenerate static/lenet5_weights.js (python -m lenet_nb export)`);
  }
  const networks = {};
  for (const [name, stored] of Object.entries(payload.networks)) networks[name] = decodeNetwork(stored);
  return networks;
}

// ---------------------------------------------------------------------------------------------
// Loading the weights in a page of the built book (also from file://, where fetch is refused)

const WEIGHTS_SCRIPT = "_static/lenet5_weights.js";
// One promise per page, shared by every widget, even by separate copies of this module.
const LOADING = Symbol.for("lenet5.weights");

// Where the book serves the weights: _static/ under the page's Sphinx root, which Sphinx >= 7.2
// writes on <html data-content_root="../">; older pages name it in their documentation_options.js.
export function weightsUrl(doc = globalThis.document) {
  const root = doc.documentElement.dataset.content_root;
  if (root !== undefined) return new URL(root + WEIGHTS_SCRIPT, doc.baseURI).href;
  const options = doc.querySelector('script[src*="_static/documentation_options.js"]');
  if (options) return new URL(WEIGHTS_SCRIPT, options.src.split("_static/")[0]).href;
  return null;
}

// A promise of the decoded networks, {paper, distorted}: from globalThis.LENET5_WEIGHTS if a
// script already set it, else by adding <script src=".../_static/lenet5_weights.js"> once.
// Rejects with an Error that says why if the weights cannot be had; a later call tries again.
export function loadWeights({ url } = {}) {
  if (!globalThis[LOADING]) {
    globalThis[LOADING] = loadPayload(url).then(decodeNetworks);
    globalThis[LOADING].catch(() => delete globalThis[LOADING]);
  }
  return globalThis[LOADING];
}

function loadPayload(url) {
  if (globalThis.LENET5_WEIGHTS) return Promise.resolve(globalThis.LENET5_WEIGHTS);
  const doc = globalThis.document;
  const src = url || (doc && weightsUrl(doc));
  if (!src) {
    return Promise.reject(new Error("LeNet-5 weights: not on a page of the built book (no " +
      "data-content_root), so there is no _static/lenet5_weights.js to load"));
  }
  return new Promise((resolve, reject) => {
    const script = doc.createElement("script");
    const fail = (why) => {
      script.remove();
      reject(new Error(`LeNet-5 weights: ${src} ${why}; build the book with ` +
        "static/lenet5_weights.js in it (python -m lenet_nb export)"));
    };
    script.onload = () => (globalThis.LENET5_WEIGHTS ? resolve(globalThis.LENET5_WEIGHTS)
      : fail("loaded but did not set globalThis.LENET5_WEIGHTS"));
    script.onerror = () => fail("could not be loaded");
    script.src = src;
    doc.head.appendChild(script);
  });
}

// The weights a widget computes with: the book's script in a built page; in a live kernel, where
// there is no such script, the widget's own message (lenet_nb.book.widgets.network answers
// "weights?" with the same payload).
export function networksFor(model) {
  return loadWeights().catch((pageError) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(pageError), 20000);
    model.on("msg:custom", (msg) => {
      if (msg.kind !== "weights") return;
      clearTimeout(timer);
      resolve(decodeNetworks(msg.payload));
    });
    try {
      model.send({ kind: "weights?" });
    } catch (err) {
      clearTimeout(timer); // no kernel to ask
      reject(pageError);
    }
  }));
}
