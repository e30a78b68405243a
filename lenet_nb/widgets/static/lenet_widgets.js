// Front end of the book's widgets (lenet_nb/widgets.py), an anywidget ES module.
//
// Everything is drawn from the widget's own state: `data` holds the feature maps as base64 bytes
// (0..255 over a stated range) and 256-colour tables from the same matplotlib colormaps the
// static figures use. A click only changes the selection trait and redraws, so the widget works
// with no kernel (the built HTML book) exactly as in Jupyter. No imports, no network.

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

// A canvas of one map, `scale` screen pixels per value; repaint with paint(canvas, ...).
function mapCanvas(layer, scale, className) {
  const canvas = element("canvas", "lenet-map" + (className ? " " + className : ""));
  canvas.width = layer.width;
  canvas.height = layer.height;
  canvas.style.width = layer.width * scale + "px";
  canvas.style.height = layer.height * scale + "px";
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
// through, and the local change (which redraws the view) is all there is.
function select(model, changes) {
  for (const [key, value] of Object.entries(changes)) model.set(key, value);
  try {
    model.save_changes();
  } catch (err) {
    // No kernel: nothing to sync with.
  }
}

// A row of clickable digit thumbnails; returns a function that marks the selected one.
function digitStrip(data, layers, onPick) {
  const strip = element("div", "lenet-strip");
  const thumbs = data.labels.map((label, d) => {
    const button = element("button", "lenet-thumb");
    button.type = "button";
    button.dataset.digit = d;
    button.title = `test digit ${data.numbers[d]} (label ${label})`;
    const canvas = mapCanvas(layers.input, 1.125);
    paint(canvas, layers.input, d, 0);
    button.append(canvas);
    button.addEventListener("click", () => onPick(d));
    strip.append(button);
    return button;
  });
  return [strip, (d) => thumbs.forEach((b, i) => b.classList.toggle("lenet-selected", i === d))];
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
  const [strip, markDigit] = digitStrip(data, layers, (d) => select(model, { index: d }));
  const status = element("div", "lenet-status");
  const stages = element("div", "lenet-stages");
  const canvases = [];  // [layer, canvas, map]
  for (const [name, scale, columns] of EXPLORER_STAGES) {
    const layer = layers[name];
    const figure = element("figure", "lenet-stage");
    figure.dataset.layer = name;
    const grid = element("div", "lenet-grid");
    grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
    for (let m = 0; m < layer.maps; m++) {
      const canvas = mapCanvas(layer, scale);
      grid.append(canvas);
      canvases.push([layer, canvas, m]);
    }
    figure.append(grid, element("figcaption", "", layer.caption));
    stages.append(figure);
  }
  // F6 beside the prototype of the predicted class, then the ten penalties.
  const f6 = mapCanvas(layers.F6, 6);
  const proto = mapCanvas(layers.prototypes, 6, "lenet-prototype");
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
    pairCaption.textContent = `F6 as 7x12, and the prototype of ${predicted}`;
    const penalties = data.penalties[d];
    const largest = Math.max(...penalties);
    rows.forEach(([row, bar, value], c) => {
      bar.style.width = (100 * penalties[c]) / largest + "px";
      value.textContent = penalties[c].toFixed(1);
      row.classList.toggle("lenet-winner", c === predicted);
      row.classList.toggle("lenet-label", c === label);
    });
    status.textContent = `test digit ${data.numbers[d]}: label ${label}, predicted ${predicted}` +
      (predicted === label ? "" : " (wrong)");
    root.dataset.index = d;
  }
  update();
  return onChanges(model, ["index"], update);
}

// ---------------------------------------------------------------- C3 connection table

function renderC3Table(model, el) {
  const data = model.get("data");
  const layers = decodeLayers(data);
  const nC3 = data.c3_inputs.length;
  const nS2 = data.s2_outputs.length;
  const root = element("div", "lenet-widget lenet-c3");
  const [strip, markDigit] = digitStrip(data, layers, (d) => select(model, { digit: d }));
  const pick = (kind, index) => select(model, { selected_kind: kind, selected_index: index });

  const table = element("table", "lenet-c3-grid");
  const head = element("tr");
  head.append(element("th", "lenet-corner", "S2 \\ C3"));
  const c3Heads = [];
  const c3Thumbs = [];
  for (let j = 0; j < nC3; j++) {
    const th = element("th", "lenet-c3-head");
    th.dataset.c3 = j;
    th.title = `C3 map ${j}: click to see the S2 maps that feed it`;
    const canvas = mapCanvas(layers.C3, 3);
    c3Thumbs.push([canvas, j]);
    th.append(canvas, element("div", "", String(j)));
    th.addEventListener("click", () => pick("C3", j));
    head.append(th);
    c3Heads.push(th);
  }
  table.append(head);
  const s2Heads = [];
  const s2Thumbs = [];
  const cells = [];  // cells[i][j]
  for (let i = 0; i < nS2; i++) {
    const tr = element("tr");
    const th = element("th", "lenet-s2-head");
    th.dataset.s2 = i;
    th.title = `S2 map ${i}: click to see the C3 maps it feeds`;
    const canvas = mapCanvas(layers.S2, 2);
    s2Thumbs.push([canvas, i]);
    th.append(element("span", "", String(i)), canvas);
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
  const status = element("div", "lenet-status");
  const detail = element("div", "lenet-detail");
  root.append(strip, table, status, detail);
  el.append(root);

  // A captioned map (S2 or C3) with, under it, the kernel joining S2 map i to C3 map j.
  function block(layer, d, map, scale, caption, kernelOf) {
    const figure = element("figure", "lenet-stage");
    const canvas = mapCanvas(layer, scale);
    paint(canvas, layer, d, map);
    figure.append(canvas);
    if (kernelOf) {
      const kernel = mapCanvas(layers.kernels, 8, "lenet-kernel");
      paint(kernel, layers.kernels, 0, 6 * kernelOf[0] + kernelOf[1]);
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
    c3Heads.forEach((th, j) => {
      th.classList.toggle("lenet-selected", kind === "C3" && j === index);
      th.classList.toggle("lenet-lit", columns.includes(j));
    });
    s2Heads.forEach((th, i) => {
      th.classList.toggle("lenet-selected", kind === "S2" && i === index);
      th.classList.toggle("lenet-lit", rows.includes(i));
    });
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
  return onChanges(model, ["selected_kind", "selected_index", "digit"], update);
}

export default {
  render({ model, el }) {
    const kind = model.get("_kind");
    if (kind === "explorer") return renderExplorer(model, el);
    if (kind === "c3table") return renderC3Table(model, el);
    if (kind === "digitpad") return renderDigitPad(model, el);
    el.textContent = `unknown widget kind ${kind}`;
  },
};
