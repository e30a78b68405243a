// Table I as a clickable grid (lenet_nb/book/widgets/c3table.py): which S2 maps feed each C3
// map, the maps themselves of a stored digit (or the reader's) in the heads, and under the table
// the selected map's inputs, kernels and output. A click only changes the selection traits
// (selected_kind, selected_index, digit) and redraws, so it works with no kernel.

import { button, element, statusLine } from "./dom.js";
import { digitStrip } from "./digit_strip.js";
import { decodeLayers, layerCanvas, paintMap } from "./maps.js";
import { onChanges, select } from "./model.js";
import { followReaderDigit } from "./reader_digit.js";

export function renderC3Table(model, el) {
  const data = model.get("data");
  const layers = decodeLayers(data);
  const root = element("div", "lenet-widget lenet-c3");
  const pickDigit = (d) => select(model, { digit: d });
  const pick = (kind, index) => select(model, { selected_kind: kind, selected_index: index });
  const [strip, markDigit, showReader] = digitStrip(data, layers, pickDigit);
  const grid = tableGrid(data, layers, pick);
  const scroll = scrolling(grid.table, grid.c3Heads.map((h) => h.th));
  const status = statusLine();
  const detail = element("div", "lenet-detail");
  root.append(strip, scroll.element, scroll.hint, status, detail);
  el.append(root);

  function update() {
    const { d, kind, index } = selection(model, data);
    markDigit(d);
    paintHeads(grid, layers, d);
    const lit = litMaps(data, kind, index);
    markTable(grid, kind, index, lit);
    status.textContent = (kind === "C3" ? showC3 : showS2)(detail, layers, d, index, lit);
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
    scroll.stop();
  };
}

// The selection as the traits hold it, clamped to the maps there are.
function selection(model, data) {
  const clamp = (value, count) => Math.max(0, Math.min(count - 1, value | 0));
  const kind = model.get("selected_kind") === "S2" ? "S2" : "C3";
  const count = kind === "C3" ? data.c3_inputs.length : data.s2_outputs.length;
  return { d: clamp(model.get("digit"), data.labels.length), kind,
           index: clamp(model.get("selected_index"), count) };
}

// Which S2 rows and C3 columns light up: straight from Table I as Python computed it.
function litMaps(data, kind, index) {
  return kind === "C3" ? { rows: data.c3_inputs[index], columns: [index] }
    : { rows: [index], columns: data.s2_outputs[index] };
}

// ---------------------------------------------------------------- the grid

// { table, c3Heads: [{th, canvas}], s2Heads: [{th, canvas}], cells: cells[i][j] }.
function tableGrid(data, layers, pick) {
  const table = element("table", "lenet-c3-grid");
  table.append(element("caption", "lenet-visually-hidden",
                       "Table I: which S2 maps (rows) feed each C3 map (columns)"));
  const corner = element("th", "lenet-corner", "S2 \\ C3");
  corner.setAttribute("aria-label", "S2 map, C3 map");
  const head = element("tr");
  const c3Heads = data.c3_inputs.map((_, j) => c3Head(j, layers, pick));
  head.append(corner, ...c3Heads.map((h) => h.th));
  table.append(head);
  const s2Heads = [];
  const cells = data.s2_outputs.map((_, i) => {
    const s2 = s2Head(i, layers, pick);
    const row = data.c3_inputs.map((inputs, j) => cell(i, j, inputs.includes(i), pick));
    const tr = element("tr");
    tr.append(s2.th, ...row);
    table.append(tr);
    s2Heads.push(s2);
    return row;
  });
  return { table, c3Heads, s2Heads, cells };
}

// A row or column head: a button (so the keyboard reaches it) holding the map and its number.
function head(scope, title, label, canvas, number, numberFirst, onClick) {
  const th = element("th", scope === "col" ? "lenet-c3-head" : "lenet-s2-head");
  th.scope = scope;
  th.title = title;
  const text = element("span", "", String(number));
  const node = button("lenet-head-button", undefined, label);
  node.append(...(numberFirst ? [text, canvas] : [canvas, text]));
  th.append(node);
  th.addEventListener("click", onClick);
  return th;
}

function c3Head(j, layers, pick) {
  const canvas = layerCanvas(layers.C3, 3, `C3 map ${j}`);
  const th = head("col", `C3 map ${j}: click to see the S2 maps that feed it`,
                  `C3 map ${j}: show the S2 maps that feed it`, canvas, j, false,
                  () => pick("C3", j));
  th.dataset.c3 = j;
  return { th, canvas };
}

function s2Head(i, layers, pick) {
  const canvas = layerCanvas(layers.S2, 2, `S2 map ${i}`);
  const th = head("row", `S2 map ${i}: click to see the C3 maps it feeds`,
                  `S2 map ${i}: show the C3 maps it feeds`, canvas, i, true,
                  () => pick("S2", i));
  th.dataset.s2 = i;
  return { th, canvas };
}

// Table I's cell (S2 map i, C3 map j): an X where they are connected; a click selects C3 map j.
function cell(i, j, connected, pick) {
  const td = element("td", connected ? "lenet-x" : "", connected ? "X" : "");
  td.dataset.c3 = j;
  td.dataset.s2 = i;
  td.addEventListener("click", () => pick("C3", j));
  return td;
}

function paintHeads(grid, layers, d) {
  grid.c3Heads.forEach(({ canvas }, j) => paintMap(canvas, layers.C3, d, j));
  grid.s2Heads.forEach(({ canvas }, i) => paintMap(canvas, layers.S2, d, i));
}

// The selected head, the heads it connects to, its line of cells lightly and its connections
// strongly.
function markTable(grid, kind, index, { rows, columns }) {
  const mark = ({ th }, selected, lit) => {
    th.classList.toggle("lenet-selected", selected);
    th.classList.toggle("lenet-lit", lit);
    th.firstChild.setAttribute("aria-pressed", String(selected));
  };
  grid.c3Heads.forEach((h, j) => mark(h, kind === "C3" && j === index, columns.includes(j)));
  grid.s2Heads.forEach((h, i) => mark(h, kind === "S2" && i === index, rows.includes(i)));
  grid.cells.forEach((row, i) => row.forEach((td, j) => {
    const inLine = kind === "C3" ? j === index : i === index;
    const hit = rows.includes(i) && columns.includes(j) && td.classList.contains("lenet-x");
    td.classList.toggle("lenet-lit", inLine && !hit);
    td.classList.toggle("lenet-hit", hit);
  }));
}

// ---------------------------------------------------------------- scrolling on a phone

// The table scrolls sideways inside the widget when the page is narrower than it (a phone); a
// line under it then says which C3 maps are out of view. { element, hint, stop }.
function scrolling(table, c3Heads) {
  const scroller = element("div", "lenet-scroll");
  scroller.tabIndex = 0; // a scrollable region must be reachable from the keyboard
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "Table I, scrollable");
  scroller.append(table);
  const hint = element("p", "lenet-scroll-hint");
  hint.hidden = true;
  const update = () => showHidden(hint, hiddenMaps(scroller, c3Heads));
  scroller.addEventListener("scroll", update, { passive: true });
  const resizes = new ResizeObserver(update);
  resizes.observe(scroller);
  return { element: scroller, hint, stop: () => resizes.disconnect() };
}

// The C3 maps whose heads are out of the scroller's view.
function hiddenMaps(scroller, c3Heads) {
  const view = scroller.getBoundingClientRect();
  return c3Heads.filter((th) => {
    const box = th.getBoundingClientRect();
    return box.right > view.right + 1 || box.left < view.left - 1;
  }).map((th) => Number(th.dataset.c3));
}

function showHidden(hint, hidden) {
  hint.hidden = hidden.length === 0;
  const maps = hidden.length === 1 ? "map" : "maps";
  hint.textContent = hidden.length ? `Scroll the table sideways for C3 ${maps} ${runs(hidden)}`
    : "";
}

// "3", "9–15", "0–2 and 14–15": sorted map numbers as runs.
function runs(numbers) {
  const parts = [];
  for (let k = 0; k < numbers.length; k++) {
    const first = numbers[k];
    while (k + 1 < numbers.length && numbers[k + 1] === numbers[k] + 1) k++;
    parts.push(first === numbers[k] ? String(first) : `${first}–${numbers[k]}`);
  }
  return parts.length > 1 ? parts.slice(0, -1).join(", ") + " and " + parts.at(-1) : parts[0];
}

// ---------------------------------------------------------------- the selected map

// C3 map `index`: its S2 inputs, each with its kernel, summed into it. Returns the status line.
function showC3(detail, layers, d, index, { rows }) {
  detail.replaceChildren();
  rows.forEach((i, k) => {
    if (k > 0) detail.append(operator("+"));
    detail.append(block(layers, layers.S2, d, i, 4, `S2 map ${i}, kernel`, [index, i]));
  });
  detail.append(operator("→"), block(layers, layers.C3, d, index, 6, `C3 map ${index}`));
  return `C3 map ${index} combines S2 maps ${rows.join(", ")}` +
    ` (${rows.length} x 25 weights + 1 bias)`;
}

// S2 map `index` and the C3 maps it feeds, each with the kernel between them.
function showS2(detail, layers, d, index, { columns }) {
  detail.replaceChildren(block(layers, layers.S2, d, index, 4, `S2 map ${index}`), operator("→"));
  for (const j of columns) {
    detail.append(block(layers, layers.C3, d, j, 4, `C3 map ${j}`, [j, index]));
  }
  return `S2 map ${index} feeds C3 maps ${columns.join(", ")}`;
}

function operator(text) {
  return element("span", "lenet-op", text);
}

// A captioned map (S2 or C3) with, under it, the kernel joining S2 map i to C3 map j.
function block(layers, layer, d, map, scale, caption, kernelOf) {
  const figure = element("figure", "lenet-stage");
  const canvas = layerCanvas(layer, scale, `${layer.name} map ${map}`);
  paintMap(canvas, layer, d, map);
  figure.append(canvas);
  if (kernelOf) figure.append(kernelCanvas(layers.kernels, ...kernelOf));
  figure.append(element("figcaption", "", caption));
  return figure;
}

// Kernel (C3 map j, S2 map i) is map 6 j + i of the one "digit" of kernels.
function kernelCanvas(kernels, j, i) {
  const canvas = layerCanvas(kernels, 8, `5x5 kernel from S2 map ${i} to C3 map ${j}`,
                             "lenet-kernel");
  paintMap(canvas, kernels, 0, 6 * j + i);
  return canvas;
}
