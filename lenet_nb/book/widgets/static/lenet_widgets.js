// Front end of the book's widgets (lenet_nb/widgets/__init__.py), an anywidget ES module.
//
// Everything is drawn from the widget's own state: `data` holds the feature maps as base64 bytes
// (0..255 over a stated range) and 256-colour tables from the same matplotlib colormaps the
// static figures use. In the feature-map explorer and the C3 table a click only changes the
// selection trait and redraws, so they work with no kernel (the built HTML book) exactly as in
// Jupyter; the distortion explorer's picture is redrawn by Python. No imports, no network.
//
// Accessibility: every control is a native <button>, <select> or <input> with a name, every map
// is a canvas with role "img" and a label, and the status lines are live regions. Layout and
// colours are in lenet_widgets.css.

function bytes(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The layers of `data` by name, decoded once: values[((digit * maps) + map) * H * W + pixel].
function decodeLayers(data) {
  const tables = {};
  for (const [name, b64] of Object.entries(data.colour_tables)) tables[name] = bytes(b64);
  const layers = {};
  for (const layer of data.layers) {
    layers[layer.name] = { ...layer, values: bytes(layer.data), table: tables[layer.cmap] };
  }
  return layers;
}

// A canvas of one map, `scale` screen pixels per value, announced as a picture named `label`;
// repaint with paint(canvas, ...).
function mapCanvas(layer, scale, label, className) {
  const canvas = element("canvas", "lenet-map" + (className ? " " + className : ""));
  canvas.width = layer.width;
  canvas.height = layer.height;
  canvas.style.width = layer.width * scale + "px";
  canvas.style.height = layer.height * scale + "px";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  return canvas;
}

function paint(canvas, layer, digit, map) {
  const size = layer.width * layer.height;
  const start = (digit * layer.maps + map) * size;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(layer.width, layer.height);
  for (let p = 0; p < size; p++) {
    const code = layer.values[start + p];
    image.data[4 * p] = layer.table[3 * code];
    image.data[4 * p + 1] = layer.table[3 * code + 1];
    image.data[4 * p + 2] = layer.table[3 * code + 2];
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  canvas.dataset.digit = digit;
  canvas.dataset.map = map;
}

// Redraw once per batch of trait changes: a selection sets two traits one after the other, and
// the view must never be drawn from half of it (say an S2 row index still naming a C3 column).
function onChanges(model, names, update) {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      update();
    });
  };
  for (const name of names) model.on(`change:${name}`, schedule);
  return () => {
    for (const name of names) model.off(`change:${name}`, schedule);
  };
}

// Save a selection: with a kernel Python sees it; in the static book there is no comm to save
// through, and the local change (which redraws the view) is all there is. Returns whether the
// change could be sent.
function select(model, changes) {
  for (const [key, value] of Object.entries(changes)) model.set(key, value);
  try {
    model.save_changes();
    return true;
  } catch (err) {
    return false;  // No kernel: nothing to sync with.
  }
}

// A live region: screen readers read its new text after each change.
function statusLine() {
  const status = element("div", "lenet-status");
  status.setAttribute("role", "status");
  return status;
}

// "3", "9-15", "0-2 and 14-15": sorted map numbers as runs.
function runs(numbers) {
  const parts = [];
  for (let k = 0; k < numbers.length; k++) {
    const first = numbers[k];
    while (k + 1 < numbers.length && numbers[k + 1] === numbers[k] + 1) k++;
    parts.push(first === numbers[k] ? String(first) : `${first}–${numbers[k]}`);
  }
  return parts.length > 1 ? parts.slice(0, -1).join(", ") + " and " + parts.at(-1) : parts[0];
}

// A row of clickable digit thumbnails; returns a function that marks the selected one.
function digitStrip(data, layers, onPick) {
  const strip = element("div", "lenet-strip");
  strip.setAttribute("role", "group");
  strip.setAttribute("aria-label", "digits");
  const thumbs = data.labels.map((label, d) => {
    const button = element("button", "lenet-thumb");
    button.type = "button";
    button.dataset.digit = d;
    button.title = `test digit ${data.numbers[d]} (label ${label})`;
    button.setAttribute("aria-label", `show test digit ${data.numbers[d]} (label ${label})`);
    const canvas = mapCanvas(layers.input, 1.125, `test digit ${data.numbers[d]}`);
    paint(canvas, layers.input, d, 0);
    button.append(canvas);
    button.addEventListener("click", () => onPick(d));
    strip.append(button);
    return button;
  });
  const mark = (d) => thumbs.forEach((b, i) => {
    b.classList.toggle("lenet-selected", i === d);
    b.setAttribute("aria-pressed", String(i === d));
  });
  // The reader's own digit, once there is one: a thumbnail after the stored digits.
  const showReader = (d) => {
    if (!thumbs[d]) {
      const button = element("button", "lenet-thumb lenet-thumb-reader");
      button.type = "button";
      button.dataset.digit = d;
      button.setAttribute("aria-label", "show your own digit (drawn or uploaded above)");
      button.append(mapCanvas(layers.input, 1.125, "your digit"));
      button.addEventListener("click", () => onPick(d));
      strip.append(button);
      thumbs[d] = button;
    }
    paint(thumbs[d].firstChild, layers.input, d, 0);
  };
  return [strip, mark, showReader];
}

// ---------------------------------------------------------------- the reader's own digit

// A DigitPad on the page announces every digit it reads ("lenet5:digit", with the decoded
// networks). The explorer and the C3 table take it as one more digit after their stored ones:
// its maps computed here by the paper's network (LeNet5.forward) and quantised as Python
// quantises the stored ones (lenet_nb.widgets.base.quantise). `onDigit(d)` then shows digit d.
// The last one is kept in the browser (localStorage), so the widgets of other chapters offer it
// too: then `onDigit(d, false)` adds it without showing it.
const READER_DIGIT_KEY = "lenet5:reader-digit";

function followReaderDigit(data, layers, onDigit) {
  const slot = data.labels.length;
  const take = ({ pixels, empty, networks }, live) => {
    if (empty || !networks) return;
    const input = LeNet5.preprocess(pixels);
    const acts = LeNet5.forward(networks.paper, input);
    storeDigit(layers, slot, { input, ...acts });
    data.labels[slot] = null;
    data.numbers[slot] = "yours";
    if (data.predictions) data.predictions[slot] = LeNet5.decide(acts.output);
    if (data.penalties) data.penalties[slot] = Array.from(acts.output);
    onDigit(slot, live);
  };
  const stored = storedReaderDigit();
  if (stored) {
    LeNet5.loadWeights().then((networks) => take({ pixels: stored, networks }, false), () => {});
  }
  const listener = (event) => take(event.detail, true);
  window.addEventListener("lenet5:digit", listener);
  return () => window.removeEventListener("lenet5:digit", listener);
}

function storedReaderDigit() {
  try {
    const pixels = JSON.parse(localStorage.getItem(READER_DIGIT_KEY));
    return Array.isArray(pixels) && pixels.length === 784 ? pixels : null;
  } catch (err) {
    return null; // no storage (a private window) or something else stored: no reader digit
  }
}

function keepReaderDigit(pixels) {
  try {
    localStorage.setItem(READER_DIGIT_KEY, JSON.stringify(Array.from(pixels)));
  } catch (err) {
    // No storage: the digit is not kept for the other chapters.
  }
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
    const scale = 255 / (layer.hi - layer.lo);
    for (let i = 0; i < size; i++) {
      const code = Math.round((values[name][i] - layer.lo) * scale);
      layer.values[slot * size + i] = Math.max(0, Math.min(255, code));
    }
  }
}

// ---------------------------------------------------------------- feature-map explorer

const EXPLORER_STAGES = [
  // layer name, screen pixels per value, columns of maps
  ["input", 3, 1], ["C1", 2, 2], ["S2", 3, 2], ["C3", 2.5, 4], ["S4", 4, 4], ["C5", 6, 1],
];

function renderExplorer(model, el) {
  const data = model.get("data");
  const layers = decodeLayers(data);
  const root = element("div", "lenet-widget lenet-explorer");
  const pick = (d) => select(model, { index: d });
  const [strip, markDigit, showReader] = digitStrip(data, layers, pick);
  const status = statusLine();
  const stages = element("div", "lenet-stages");
  const canvases = [];  // [layer, canvas, map]
  for (const [name, scale, columns] of EXPLORER_STAGES) {
    const layer = layers[name];
    const figure = element("figure", "lenet-stage");
    figure.dataset.layer = name;
    const grid = element("div", "lenet-grid");
    grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
    for (let m = 0; m < layer.maps; m++) {
      const canvas = mapCanvas(layer, scale, layer.maps > 1 ? `${name} map ${m}` : layer.caption);
      grid.append(canvas);
      canvases.push([layer, canvas, m]);
    }
    figure.append(grid, element("figcaption", "", layer.caption));
    stages.append(figure);
  }
  // F6 beside the prototype of the predicted class, then the ten penalties.
  const f6 = mapCanvas(layers.F6, 6, "F6 output, as 7x12");
  const proto = mapCanvas(layers.prototypes, 6, "prototype of the predicted class",
                          "lenet-prototype");
  const pair = element("figure", "lenet-stage");
  pair.dataset.layer = "F6";
  const pairGrid = element("div", "lenet-grid");
  pairGrid.style.gridTemplateColumns = "repeat(2, auto)";
  pairGrid.append(f6, proto);
  const pairCaption = element("figcaption");
  pair.append(pairGrid, pairCaption);
  stages.append(pair);
  const bars = element("figure", "lenet-stage lenet-penalties");
  bars.dataset.layer = "output";
  const rows = [];
  const barBox = element("div", "lenet-bars");
  for (let c = 0; c < 10; c++) {
    const row = element("div", "lenet-bar-row");
    const bar = element("span", "lenet-bar");
    const value = element("span", "lenet-bar-value");
    row.append(element("span", "lenet-bar-label", String(c)), bar, value);
    barBox.append(row);
    rows.push([row, bar, value]);
  }
  bars.append(barBox, element("figcaption", "", "output: the ten penalties (smallest wins)"));
  stages.append(bars);
  root.append(strip, status, stages);
  el.append(root);

  function update() {
    const d = Math.max(0, Math.min(data.labels.length - 1, model.get("index")));
    const label = data.labels[d];
    const predicted = data.predictions[d];
    markDigit(d);
    for (const [layer, canvas, m] of canvases) paint(canvas, layer, d, m);
    paint(f6, layers.F6, d, 0);
    paint(proto, layers.prototypes, predicted, 0);
    proto.setAttribute("aria-label", `prototype of ${predicted}`);
    pairCaption.textContent = `F6 as 7x12, and the prototype of ${predicted}`;
    const penalties = data.penalties[d];
    const largest = Math.max(...penalties);
    rows.forEach(([row, bar, value], c) => {
      bar.style.width = (100 * penalties[c]) / largest + "px";
      value.textContent = penalties[c].toFixed(1);
      row.classList.toggle("lenet-winner", c === predicted);
      row.classList.toggle("lenet-label", c === label);
    });
    status.textContent = label === null ? `your digit: predicted ${predicted}`
      : `test digit ${data.numbers[d]}: label ${label}, predicted ${predicted}` +
        (predicted === label ? "" : " (wrong)");
    root.dataset.index = d;
  }
  update();
  const stopFollowing = followReaderDigit(data, layers, (d, live) => {
    showReader(d);
    if (live) pick(d);
    update();
  });
  const stopListening = onChanges(model, ["index"], update);
  return () => {
    stopListening();
    stopFollowing();
  };
}

// ---------------------------------------------------------------- C3 connection table

function renderC3Table(model, el) {
  const data = model.get("data");
  const layers = decodeLayers(data);
  const nC3 = data.c3_inputs.length;
  const nS2 = data.s2_outputs.length;
  const root = element("div", "lenet-widget lenet-c3");
  const pickDigit = (d) => select(model, { digit: d });
  const [strip, markDigit, showReader] = digitStrip(data, layers, pickDigit);
  const pick = (kind, index) => select(model, { selected_kind: kind, selected_index: index });

  // A row or column head: a button (so the keyboard reaches it) holding the map and its number.
  function headButton(label, canvas, number, numberFirst) {
    const button = element("button", "lenet-head-button");
    button.type = "button";
    button.setAttribute("aria-label", label);
    const text = element("span", "", String(number));
    if (numberFirst) button.append(text, canvas);
    else button.append(canvas, text);
    return button;
  }

  const table = element("table", "lenet-c3-grid");
  const caption = element("caption", "lenet-visually-hidden",
                          "Table I: which S2 maps (rows) feed each C3 map (columns)");
  const head = element("tr");
  const corner = element("th", "lenet-corner", "S2 \\ C3");
  corner.setAttribute("aria-label", "S2 map, C3 map");
  head.append(corner);
  table.append(caption, head);
  const c3Heads = [];
  const c3Thumbs = [];
  for (let j = 0; j < nC3; j++) {
    const th = element("th", "lenet-c3-head");
    th.scope = "col";
    th.dataset.c3 = j;
    th.title = `C3 map ${j}: click to see the S2 maps that feed it`;
    const canvas = mapCanvas(layers.C3, 3, `C3 map ${j}`);
    c3Thumbs.push([canvas, j]);
    th.append(headButton(`C3 map ${j}: show the S2 maps that feed it`, canvas, j, false));
    th.addEventListener("click", () => pick("C3", j));
    head.append(th);
    c3Heads.push(th);
  }
  const s2Heads = [];
  const s2Thumbs = [];
  const cells = [];  // cells[i][j]
  for (let i = 0; i < nS2; i++) {
    const tr = element("tr");
    const th = element("th", "lenet-s2-head");
    th.scope = "row";
    th.dataset.s2 = i;
    th.title = `S2 map ${i}: click to see the C3 maps it feeds`;
    const canvas = mapCanvas(layers.S2, 2, `S2 map ${i}`);
    s2Thumbs.push([canvas, i]);
    th.append(headButton(`S2 map ${i}: show the C3 maps it feeds`, canvas, i, true));
    th.addEventListener("click", () => pick("S2", i));
    tr.append(th);
    s2Heads.push(th);
    cells.push([]);
    for (let j = 0; j < nC3; j++) {
      const connected = data.c3_inputs[j].includes(i);
      const td = element("td", connected ? "lenet-x" : "", connected ? "X" : "");
      td.dataset.c3 = j;
      td.dataset.s2 = i;
      td.addEventListener("click", () => pick("C3", j));
      tr.append(td);
      cells[i].push(td);
    }
    table.append(tr);
  }
  // The table scrolls sideways inside the widget when the page is narrower than it (a phone);
  // a line under it then says which C3 maps are out of view, and shadows mark the hidden side.
  const scroller = element("div", "lenet-scroll");
  scroller.tabIndex = 0;  // a scrollable region must be reachable from the keyboard
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "Table I, scrollable");
  scroller.append(table);
  const hint = element("p", "lenet-scroll-hint");
  hint.hidden = true;
  function updateHint() {
    const view = scroller.getBoundingClientRect();
    const hidden = c3Heads.filter((th) => {
      const box = th.getBoundingClientRect();
      return box.right > view.right + 1 || box.left < view.left - 1;
    }).map((th) => Number(th.dataset.c3));
    hint.hidden = hidden.length === 0;
    const maps = hidden.length === 1 ? "map" : "maps";
    hint.textContent = hidden.length ? `Scroll the table sideways for C3 ${maps} ${runs(hidden)}` : "";
  }
  scroller.addEventListener("scroll", updateHint, { passive: true });
  const resizes = new ResizeObserver(updateHint);
  resizes.observe(scroller);

  const status = statusLine();
  const detail = element("div", "lenet-detail");
  root.append(strip, scroller, hint, status, detail);
  el.append(root);

  // A captioned map (S2 or C3) with, under it, the kernel joining S2 map i to C3 map j.
  function block(layer, d, map, scale, caption, kernelOf) {
    const figure = element("figure", "lenet-stage");
    const canvas = mapCanvas(layer, scale, `${layer.name} map ${map}`);
    paint(canvas, layer, d, map);
    figure.append(canvas);
    if (kernelOf) {
      const [j, i] = kernelOf;
      const kernel = mapCanvas(layers.kernels, 8, `5x5 kernel from S2 map ${i} to C3 map ${j}`,
                               "lenet-kernel");
      paint(kernel, layers.kernels, 0, 6 * j + i);
      figure.append(kernel);
    }
    figure.append(element("figcaption", "", caption));
    return figure;
  }

  function update() {
    const clamp = (value, count) => Math.max(0, Math.min(count - 1, value | 0));
    const d = clamp(model.get("digit"), data.labels.length);
    const kind = model.get("selected_kind") === "S2" ? "S2" : "C3";
    const index = clamp(model.get("selected_index"), kind === "C3" ? nC3 : nS2);
    markDigit(d);
    for (const [canvas, j] of c3Thumbs) paint(canvas, layers.C3, d, j);
    for (const [canvas, i] of s2Thumbs) paint(canvas, layers.S2, d, i);
    // Which S2 rows and C3 columns light up: straight from Table I as Python computed it.
    const rows = kind === "C3" ? data.c3_inputs[index] : [index];
    const columns = kind === "C3" ? [index] : data.s2_outputs[index];
    const mark = (th, selected, lit) => {
      th.classList.toggle("lenet-selected", selected);
      th.classList.toggle("lenet-lit", lit);
      th.firstChild.setAttribute("aria-pressed", String(selected));
    };
    c3Heads.forEach((th, j) => mark(th, kind === "C3" && j === index, columns.includes(j)));
    s2Heads.forEach((th, i) => mark(th, kind === "S2" && i === index, rows.includes(i)));
    // The selected map's column (C3) or row (S2) lightly, its connections strongly.
    cells.forEach((row, i) => row.forEach((td, j) => {
      const inLine = kind === "C3" ? j === index : i === index;
      const hit = rows.includes(i) && columns.includes(j) && td.classList.contains("lenet-x");
      td.classList.toggle("lenet-lit", inLine && !hit);
      td.classList.toggle("lenet-hit", hit);
    }));
    detail.replaceChildren();
    if (kind === "C3") {
      status.textContent = `C3 map ${index} combines S2 maps ${rows.join(", ")}` +
        ` (${rows.length} x 25 weights + 1 bias)`;
      rows.forEach((i, k) => {
        if (k > 0) detail.append(element("span", "lenet-op", "+"));
        detail.append(block(layers.S2, d, i, 4, `S2 map ${i}, kernel`, [index, i]));
      });
      detail.append(element("span", "lenet-op", "→"));
      detail.append(block(layers.C3, d, index, 6, `C3 map ${index}`));
    } else {
      status.textContent = `S2 map ${index} feeds C3 maps ${columns.join(", ")}`;
      detail.append(block(layers.S2, d, index, 4, `S2 map ${index}`));
      detail.append(element("span", "lenet-op", "→"));
      for (const j of columns) {
        detail.append(block(layers.C3, d, j, 4, `C3 map ${j}`, [j, index]));
      }
    }
    root.dataset.selected = `${kind}:${index}`;
    root.dataset.digit = d;
  }
  update();
  const stop = onChanges(model, ["selected_kind", "selected_index", "digit"], update);
  const stopFollowing = followReaderDigit(data, layers, (d, live) => {
    showReader(d);
    if (live) pickDigit(d);
    update();
  });
  return () => {
    stop();
    stopFollowing();
    resizes.disconnect();
  };
}

export default {
  render({ model, el }) {
    const kind = model.get("_kind");
    if (kind === "explorer") return renderExplorer(model, el);
    if (kind === "c3table") return renderC3Table(model, el);
    if (kind === "digitpad") return renderDigitPad(model, el);
    if (kind === "distortions") return renderDistortions(model, el);
    if (kind === "invariance") return renderInvariance(model, el);
    el.textContent = `unknown widget kind ${kind}`;
  },
};
