// LeNet-5's stages as every widget draws them: one list of shapes and one view built from it,
// so that the explorer (Output chapter), the pad (Your own digits) and the invariance panel
// cannot draw a layer differently. The shapes are those of the maps Python sends
// (lenet_nb.book.widgets.explorer.explorer_data); tests/test_stages_js.py holds them equal.

import { element, mapCanvas } from "./dom.js";
import { paintValues } from "./paint.js";
import { penaltyBars, showPenalties } from "./penalty_bars.js";

// Each stage: its layer, its maps, a map's rows and columns, screen pixels per value, columns of
// maps in the grid, caption.
const stage = (name, maps, height, width, scale, columns, caption) =>
  ({ name, maps, height, width, scale, columns, caption });

export const INPUT = stage("input", 1, 32, 32, 3, 1, "input 32x32");
export const LAYERS = [
  stage("C1", 6, 28, 28, 2, 2, "C1: 6 maps 28x28"),
  stage("S2", 6, 14, 14, 3, 2, "S2: 6 maps 14x14"),
  stage("C3", 16, 10, 10, 2.5, 4, "C3: 16 maps 10x10"),
  stage("S4", 16, 5, 5, 4, 4, "S4: 16 maps 5x5"),
  // 120 units of one pixel each, drawn as one 10x12 picture, row by row.
  stage("C5", 1, 10, 12, 6, 1, "C5: 120 units, as 10x12"),
];
// LeNet-5's family (family.js): each network's stages, its last layer's ten squashed outputs
// (one per class, +1 for it and -1 for the others) as one row.
const outputs = (name) => stage(name, 1, 1, 10, 12, 1, `${name}: 10 outputs, one per class`);
export const FAMILY_LAYERS = {
  lenet1: [
    stage("C1", 4, 24, 24, 2, 2, "C1: 4 maps 24x24"),
    stage("S2", 4, 12, 12, 3, 2, "S2: 4 maps 12x12"),
    stage("C3", 12, 8, 8, 3, 4, "C3: 12 maps 8x8"),
    stage("S4", 12, 4, 4, 5, 4, "S4: 12 maps 4x4"),
    outputs("F5"),
  ],
  lenet4: [
    stage("C1", 4, 28, 28, 2, 2, "C1: 4 maps 28x28"),
    stage("S2", 8, 14, 14, 3, 4, "S2: 8 maps 14x14, two per C1 map"),
    stage("C3", 16, 10, 10, 2.5, 4, "C3: 16 maps 10x10"),
    stage("S4", 16, 5, 5, 4, 4, "S4: 16 maps 5x5"),
    stage("C5", 1, 10, 12, 6, 1, "C5: 120 units, as 10x12"),
    outputs("F6"),
  ],
};
// F6's 84 units beside a class's prototype, both as the paper draws the prototypes (Fig. 3):
// 7x12 bitmaps, 7 wide and 12 tall, row by row (lenet_nb.network.prototypes.WIDTH, HEIGHT).
export const F6 = stage("F6", 1, 12, 7, 6, 2, "F6 as 7x12");

// One stage's figure: its maps in a grid, under them its caption.
function stageFigure({ name, maps, height, width, scale, columns, caption }) {
  const figure = element("figure", "lenet-stage");
  figure.dataset.layer = name;
  const grid = element("div", "lenet-grid");
  grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
  const canvases = Array.from({ length: maps }, (_, m) =>
    mapCanvas(width, height, scale, maps > 1 ? `${name} map ${m}` : caption));
  grid.append(...canvases);
  const text = element("figcaption", "", caption);
  figure.append(grid, text);
  return { figure, canvases, caption: text };
}

// F6 and the prototype of a class, side by side in one figure; `showClass(n)` names the class.
export function f6Figure() {
  const { figure, canvases, caption } = stageFigure({ ...F6, maps: 2 });
  const [f6, prototype] = canvases;
  f6.setAttribute("aria-label", "F6 output, as 7x12");
  prototype.classList.add("lenet-prototype");
  const showClass = (n) => {
    prototype.setAttribute("aria-label", `the prototype of ${n}, as 7x12`);
    caption.textContent = `F6 as 7x12, and the prototype of ${n}`;
  };
  return { figure, f6, prototype, showClass };
}

// Every stage in `stages`, then F6 with a prototype (LeNet-5's; not with `withF6` false), then
// the ten penalties: { element, maps: {layer: [canvas per map]}, f6: f6Figure(), bars }.
export function stagesView(stages, withF6 = true) {
  const root = element("div", "lenet-stages");
  const maps = {};
  for (const s of stages) {
    const { figure, canvases } = stageFigure(s);
    maps[s.name] = canvases;
    root.append(figure);
  }
  const f6 = withF6 ? f6Figure() : null;
  const bars = penaltyBars();
  if (f6) root.append(f6.figure);
  root.append(bars.figure);
  return { element: root, maps, f6, bars };
}

// A digit's layers computed in the page (lenet5.js's forward, `acts`) onto a stagesView, F6
// beside the prototype of `best` in `net`; `colours`: the activations' {lo, hi, table}.
export function showActivations(view, acts, net, best, { lo, hi, table }) {
  for (const [name, canvases] of Object.entries(view.maps)) {
    canvases.forEach((canvas, m) => {
      paintValues(canvas, acts[name], m * canvas.width * canvas.height, lo, hi, table);
    });
  }
  if (view.f6) {
    paintValues(view.f6.f6, acts.F6, 0, lo, hi, table);
    paintValues(view.f6.prototype, net.output.prototypes, F6.width * F6.height * best, lo, hi,
      table);
    view.f6.showClass(best);
  }
  showPenalties(view.bars, acts.output, best);
}
