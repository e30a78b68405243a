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
// by layer, as forward reads them: {C1: {weight, bias}, ..., output: {prototypes}, c3Table}. A
// family network (family.js) also says which it is and gives its sparse layers' tables and its
// subsampling layers' sources: {architecture, tables: {C3, ...}, sources: {S2, ...}}.
export function decodeNetwork(stored) {
  const net = { c3Table: stored.c3_table, shapes: {} };
  if (stored.architecture) {
    Object.assign(net, { architecture: stored.architecture, tables: stored.tables,
                         sources: stored.sources });
  }
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

// The whole payload (globalThis.LENET5_WEIGHTS, or the live widget's message) -> {paper, distorted}
// (or, of globalThis.SDNN_WEIGHTS, {sdnn}: see decodeSdnn).
export function decodeNetworks(payload, label = "LeNet-5 weights", file = "static/lenet5_weights.js") {
  if (!payload || payload.format !== WEIGHTS_FORMAT) {
    throw new Error(`${label}: format ${payload && payload.format}, expected ` +
      `${WEIGHTS_FORMAT}; regenerate ${file} (python -m lenet_nb export)`);
  }
  const networks = {};
  for (const [name, stored] of Object.entries(payload.networks)) networks[name] = decodeNetwork(stored);
  return networks;
}

// The SDNN's payload (static/sdnn_weights.js, or a live widget's message): the same format, one
// network (11 prototypes: the digits and blank), and the character model the reader decodes its
// penalties with, {switch, nothing}, from lenet_nb.reading.strings (SWITCH_PENALTY,
// NOTHING_PENALTY): the constants' one home is Python; the decoded network carries them.
// -> {sdnn: net}, with net.grammar.
export function decodeSdnn(payload) {
  const networks = decodeNetworks(payload, "SDNN weights", "static/sdnn_weights.js");
  const grammar = payload.grammar;
  if (!grammar || !Number.isFinite(grammar.switch) || !Number.isFinite(grammar.nothing)) {
    throw new Error("SDNN weights: no character model (grammar: {switch, nothing}); regenerate " +
      "static/sdnn_weights.js (python -m lenet_nb export)");
  }
  if (!networks.sdnn) throw new Error("SDNN weights: no network named sdnn");
  networks.sdnn.grammar = { switch: grammar.switch, nothing: grammar.nothing };
  return networks;
}

// LeNet-5's family (static/family_weights.js, or a live widget's message): the same format, its
// networks, and each ensemble: {nets: [names of networks], confident_margin} (null: never skip).
// -> {lenet1, lenet4, "boosted-lenet4"}: the networks that are no ensemble's member, and each
// ensemble as {architecture: "boosted", nets (decoded), confidentMargin}.
export function decodeFamily(payload) {
  const file = "static/family_weights.js";
  const networks = decodeNetworks(payload, "family weights", file);
  const ensembles = Object.entries(payload.ensembles || {});
  const members = new Set(ensembles.flatMap(([, { nets }]) => nets));
  const family = {};
  for (const [name, net] of Object.entries(networks)) if (!members.has(name)) family[name] = net;
  for (const [name, { nets, confident_margin: confident }] of ensembles) {
    if (!nets.every((n) => networks[n])) {
      throw new Error(`family weights: ensemble ${name} names nets not in the file; regenerate ` +
        `${file} (python -m lenet_nb export)`);
    }
    family[name] = { architecture: "boosted", nets: nets.map((n) => networks[n]),
                     confidentMargin: confident };
  }
  return family;
}

// ---------------------------------------------------------------------------------------------
// Loading a weights script in a page of the built book (also from file://, where fetch is
// refused). One loader for every file: LeNet-5's two networks (every page with a digit widget),
// the SDNN (only the pages with a string pad ask for it) and LeNet-5's family (only when the
// reader picks one of its networks).

// Each weights file: where the book serves it, the global its script sets, how it decodes, and
// the key of its one promise per page (shared by every widget, even by separate copies of this
// module).
export const WEIGHTS_FILES = {
  lenet5: { script: "_static/lenet5_weights.js", global: "LENET5_WEIGHTS", label: "LeNet-5 weights",
            decode: (payload) => decodeNetworks(payload), loading: Symbol.for("lenet5.weights") },
  sdnn: { script: "_static/sdnn_weights.js", global: "SDNN_WEIGHTS", label: "SDNN weights",
          decode: decodeSdnn, loading: Symbol.for("sdnn.weights") },
  family: { script: "_static/family_weights.js", global: "FAMILY_WEIGHTS",
            label: "family weights", decode: decodeFamily, loading: Symbol.for("family.weights") },
  // The Training chapter's digits (training/data.js decodes them, in the worker); loaded only
  // when the reader starts training.
  training: { script: "_static/lenet5_training.js", global: "LENET5_TRAINING",
              label: "training digits", decode: (payload) => payload,
              loading: Symbol.for("lenet5.training"), command: "python -m lenet_nb export-training" },
};

// Where the book serves `script`: _static/ under the page's Sphinx root, which Sphinx >= 7.2
// writes on <html data-content_root="../">; older pages name it in their documentation_options.js.
export function weightsUrl(doc = globalThis.document, script = WEIGHTS_FILES.lenet5.script) {
  const root = doc.documentElement.dataset.content_root;
  if (root !== undefined) return new URL(root + script, doc.baseURI).href;
  const options = doc.querySelector('script[src*="_static/documentation_options.js"]');
  if (options) return new URL(script, options.src.split("_static/")[0]).href;
  return null;
}

export function sdnnWeightsUrl(doc = globalThis.document) {
  return weightsUrl(doc, WEIGHTS_FILES.sdnn.script);
}

// A promise of one file's decoded networks: from its global if a script already set it, else by
// adding <script src=".../_static/FILE"> once. Rejects with an Error that says why if the weights
// cannot be had; a later call tries again.
export function loadWeightsFile(file, { url } = {}) {
  if (!globalThis[file.loading]) {
    globalThis[file.loading] = loadPayload(file, url).then(file.decode);
    globalThis[file.loading].catch(() => delete globalThis[file.loading]);
  }
  return globalThis[file.loading];
}

// LeNet-5's networks, {paper, distorted}.
export function loadWeights(options) {
  return loadWeightsFile(WEIGHTS_FILES.lenet5, options);
}

// The SDNN, {sdnn} (with its grammar).
export function loadSdnnWeights(options) {
  return loadWeightsFile(WEIGHTS_FILES.sdnn, options);
}

// LeNet-5's family, {lenet1, lenet4, "boosted-lenet4"}: only a page whose reader picks one asks.
export function loadFamilyWeights(options) {
  return loadWeightsFile(WEIGHTS_FILES.family, options);
}

function loadPayload(file, url) {
  const { global, label } = file;
  const name = file.script.split("/").pop();
  if (globalThis[global]) return Promise.resolve(globalThis[global]);
  const doc = globalThis.document;
  const src = url || (doc && weightsUrl(doc, file.script));
  if (!src) {
    return Promise.reject(new Error(`${label}: not on a page of the built book (no ` +
      `data-content_root), so there is no _static/${name} to load`));
  }
  return new Promise((resolve, reject) => {
    const script = doc.createElement("script");
    const fail = (why) => {
      script.remove();
      reject(new Error(`${label}: ${src} ${why}; build the book with ` +
        `static/${name} in it (${file.command || "python -m lenet_nb export"})`));
    };
    script.onload = () => (globalThis[global] ? resolve(globalThis[global])
      : fail(`loaded but did not set globalThis.${global}`));
    script.onerror = () => fail("could not be loaded");
    script.src = src;
    doc.head.appendChild(script);
  });
}

// The weights a widget computes with: the book's script in a built page; in a live kernel, where
// there is no such script, the widget's own message (lenet_nb.book.widgets.network answers
// "weights?", lenet_nb.book.widgets.strings "sdnn-weights?", with the same payload).
function weightsFor(model, file, ask, answer) {
  return loadWeightsFile(file).catch((pageError) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(pageError), 20000);
    model.on("msg:custom", (msg) => {
      if (msg.kind !== answer) return;
      clearTimeout(timer);
      try {
        resolve(file.decode(msg.payload));
      } catch (err) {
        reject(err);
      }
    });
    try {
      model.send({ kind: ask });
    } catch (err) {
      clearTimeout(timer); // no kernel to ask
      reject(pageError);
    }
  }));
}

export function networksFor(model) {
  return weightsFor(model, WEIGHTS_FILES.lenet5, "weights?", "weights");
}

export function sdnnFor(model) {
  return weightsFor(model, WEIGHTS_FILES.sdnn, "sdnn-weights?", "sdnn-weights");
}

export function familyFor(model) {
  return weightsFor(model, WEIGHTS_FILES.family, "family-weights?", "family-weights");
}

export function trainingDataFor(model) {
  return weightsFor(model, WEIGHTS_FILES.training, "training-data?", "training-data");
}
