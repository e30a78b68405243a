// "Your own string" (StringPad, lenet_nb/book/widgets/strings.py): write several digits on a wide
// pad (or upload an image of a string, or compose one from test digits) and the SDNN reads the
// whole string in the page, without segmenting it, with no kernel and no network. The steps, as
// lenet_nb.reading.strings.read_string does them:
//   grey levels of the drawing -> normalise_string.js (polarity, ink box, 20 rows high, MARGIN
//   columns either side, 32 + 4k wide) -> sdnn.js (LeNet-5 replicated: 11 penalties at each
//   output position, one every 4 columns) -> string_reader.js (Viterbi through the character
//   model, whose numbers come with the weights) -> the digits read.
// A composed string is already in the network's frame (compose_string.js, as Python's compose):
// it is read as it is (read_normalised).

import { element, mapCanvas } from "./dom.js";
import { drawPad, drawingControls, listenForControls, listenForStrokes, oncePerFrame,
  padCanvas } from "./drawing.js";
import { canvasGrey } from "./images.js";
import { select } from "./model.js";
import { bytes, colourTables, paintValues } from "./paint.js";
import { randomString } from "./compose_string.js";
import { BLANK, HEIGHT, STRIDE, WINDOW, asInput, replicatedForward } from "./sdnn.js";
import { argmin, readNormalised, readString } from "./string_reader.js";
import { normaliseString } from "./normalise_string.js";
import { sdnnFor } from "./weights.js";

const PAD_WIDTH = 640; // the drawing canvas, in canvas pixels, shown at one CSS pixel each; on a
const PAD_HEIGHT = 180; // phone it scrolls sideways inside its own box
const PEN_WIDTH = 15; // digits about 130 px tall: after normalisation, about MNIST's stroke width
const SCALE = 3; // screen pixels per input column, at most, in the network's view
const PROMPT = "write a few digits in the pad";

export function renderStringPad(model, el) {
  const data = model.get("data");
  const digits = decodeDigits(data.digits);
  const view = padView(data);
  el.append(view.root);
  const state = { strokes: [], upload: null, net: null, pending: false };
  const redraw = () => drawPad(view.pad, state, PEN_WIDTH);

  function recognise() {
    if (!state.net) return;
    const reading = readInput(state, view.pad);
    showReading(view, data, reading, state.net);
    const { pixels, width } = reading.input;
    // For tests and the curious: what was read, and what it was made into.
    view.root.lenetGrey = reading.grey;
    view.root.lenetInput = { pixels, width };
    view.root.lenetSynced = () => ({ normalised: model.get("normalised"), width: model.get("width"),
                                     penalties: model.get("penalties"), answer: model.get("answer") });
    const empty = reading.empty;
    select(model, { normalised: empty ? [] : Array.from(pixels), width: empty ? 0 : width,
                    penalties: empty ? [] : reading.penalties.map((p) => Array.from(p)),
                    answer: empty ? "" : reading.text });
  }
  const again = () => {
    redraw();
    recognise();
  };

  listenForStrokes(view.pad, state, () => {
    redraw();
    oncePerFrame(state, recognise);
  });
  listenForControls(view, state, again);
  view.compose.addEventListener("click", () => {
    const noise = view.noise.checked ? data.noise : 0;
    const length = data.lengths[0] +
      Math.floor(Math.random() * (data.lengths[1] - data.lengths[0] + 1));
    const composed = randomString(digits, data.labels, length, { gaps: data.gaps, noise });
    state.strokes = [];
    // Shown on the pad as dark ink on paper; read as composed (white on black, in the frame).
    state.upload = { grey: Float32Array.from(composed.pixels, (v) => 255 - v),
                     width: composed.width, height: HEIGHT, composed };
    view.root.dataset.composed = composed.labels.join("");
    view.message.textContent = `composed from MNIST test digits ${composed.labels.join(" ")}` +
      ` (test set numbers ${composed.picks.map((i) => data.test_indices[i]).join(", ")}), gaps ` +
      `${composed.gaps.join(", ")} px${noise ? `, ${Math.round(noise * 100)}% salt and pepper` : ""}`;
    again();
  });
  redraw();
  watchScrolling(view);
  view.message.textContent = "loading the trained network…";
  sdnnFor(model).then(({ sdnn }) => {
    state.net = sdnn;
    view.message.textContent = "";
    view.root.dataset.ready = "true";
    recognise();
  }, (err) => {
    view.message.textContent = err.message;
    view.root.dataset.ready = "failed";
  });
}

// The shipped test digits (base64 of N x 784 bytes) as N arrays of 784 grey levels.
function decodeDigits(b64) {
  const all = bytes(b64);
  return Array.from({ length: all.length / 784 }, (_, i) => all.subarray(784 * i, 784 * (i + 1)));
}

// What the pad holds, read: a composed string as it is, else the upload's or the canvas's grey
// levels normalised. { empty, text, penalties, winners, path, input: {pixels, width}, grey }.
function readInput(state, pad) {
  const drawn = !(state.upload && state.strokes.length === 0);
  const composed = drawn ? null : state.upload.composed;
  if (composed) {
    const reading = readNormalised(state.net, composed.pixels, composed.width);
    return { ...reading, empty: false, input: composed, grey: null };
  }
  const grey = drawn ? canvasGrey(pad) : state.upload;
  const normalised = normaliseString(grey.grey, grey.width, grey.height, "auto");
  if (normalised.empty) return { empty: true, input: normalised, grey };
  const reading = readNormalised(state.net, normalised.pixels, normalised.width);
  return { ...reading, empty: false, input: normalised, grey };
}

// ---------------------------------------------------------------- the view

// Each wide layer as the network computes it over the string: maps, rows, columns (of a
// 32 x width input), and where its columns sit over the input's: column j of the layer covers
// input columns offset + step * j .. + step (the centre of its receptive field).
const STRIPS = [
  { name: "C1", maps: 6, rows: 28, columns: (w) => w - 4, step: 1, offset: 2 },
  { name: "S2", maps: 6, rows: 14, columns: (w) => (w - 4) / 2, step: 2, offset: 2 },
  { name: "C3", maps: 16, rows: 10, columns: (w) => (w - 4) / 2 - 4, step: 2, offset: 6 },
  { name: "S4", maps: 16, rows: 5, columns: (w) => ((w - 4) / 2 - 4) / 2, step: 4, offset: 6 },
  // 120 units at each output position: one row per unit, one column per position.
  { name: "C5", maps: 1, rows: 120, columns: (w) => ((w - 4) / 2 - 4) / 2 - 4, step: 4,
    offset: 14 },
];

function padView(data) {
  const root = element("div", "lenet-widget lenet-string-pad");
  root.dataset.answer = "";
  const scroller = element("div", "lenet-scroll lenet-string-scroller");
  scroller.tabIndex = 0; // a scrollable region must be reachable from the keyboard
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "the drawing pad, scrollable sideways");
  const pad = padCanvas("lenet-string-canvas", PAD_WIDTH, PAD_HEIGHT,
    "drawing area: write a few digits side by side with a mouse, a finger or a pen");
  scroller.append(pad);
  const hint = element("p", "lenet-scroll-hint lenet-string-hint", "scroll sideways to write more");
  hint.hidden = true;
  const { clear, undo, file, upload } = drawingControls("lenet-pad", " of a string");
  const compose = element("button", "lenet-pad-button lenet-string-compose", "compose a string");
  compose.type = "button";
  const noise = element("input", "lenet-string-noise");
  noise.type = "checkbox";
  const noiseLabel = element("label", "lenet-string-noise-label");
  noiseLabel.append(noise, ` ${Math.round(data.noise * 100)}% salt and pepper`);
  const controls = element("div", "lenet-pad-controls lenet-string-controls");
  controls.append(clear, undo, upload, compose, noiseLabel);

  const answer = element("div", "lenet-string-answer", PROMPT);
  answer.setAttribute("role", "status"); // a live region: read out after each change
  answer.setAttribute("aria-live", "polite");
  answer.dataset.empty = "true";
  const message = element("p", "lenet-pad-message lenet-string-message");
  message.setAttribute("aria-live", "polite");

  // The network's view: the input it reads, the winning class at each output position under
  // its column (Fig. 26), then the wide maps.
  const seen = element("figure", "lenet-stage lenet-string-view");
  const input = mapCanvas(WINDOW, HEIGHT, SCALE, "the network's input: empty", "lenet-string-input");
  const labels = element("div", "lenet-string-labels");
  labels.setAttribute("role", "img");
  labels.setAttribute("aria-label", "the winning class at each output position: none yet");
  const seenCaption = element("figcaption", "", "the input the SDNN reads (32 rows), and under " +
    "it the class with the smallest penalty at each output position, one every 4 columns " +
    "(a dot: blank); fainter for a higher penalty");
  const track = element("div", "lenet-string-track");
  track.append(input, labels);
  seen.append(track, seenCaption);
  const layers = element("details", "lenet-string-layers");
  // Open where there is room; on a phone, where the maps make a long column, the reader opens it.
  layers.open = !(globalThis.matchMedia && matchMedia("(max-width: 600px)").matches);
  layers.append(element("summary", "", "the layers along the string: C1, S2, C3, S4, C5"));
  const strips = STRIPS.map((strip) => {
    const figure = element("figure", "lenet-stage lenet-string-strip");
    figure.dataset.layer = strip.name;
    const box = element("div", "lenet-string-maps lenet-string-track");
    const caption = element("figcaption", "");
    figure.append(box, caption);
    layers.append(figure);
    return { ...strip, figure, box, caption, canvases: [] };
  });
  const network = element("div", "lenet-string-network");
  network.append(seen, layers);
  root.append(hint, scroller, controls, answer, message, network);
  return { root, scroller, hint, pad, clear, undo, file, upload, compose, noise, answer, message,
           network, input, labels, strips, tables: colourTables(data) };
}

// The hint shows only while the pad is wider than its box (a phone); it names the way.
function watchScrolling(view) {
  const update = () => {
    const hidden = view.scroller.scrollWidth > view.scroller.clientWidth + 1;
    view.hint.hidden = !hidden;
  };
  new ResizeObserver(update).observe(view.scroller);
  update();
}

// How light a winning label is: by its penalty against the grammar's price of nothing (a penalty
// above it is no detection). Level 0 is the darkest; every level keeps a 4.5:1 contrast.
function level(penalty, nothing) {
  if (penalty < nothing / 4) return 0;
  if (penalty < nothing / 2) return 1;
  if (penalty < nothing) return 2;
  return 3;
}

function showReading(view, data, reading, net) {
  const { root, answer } = view;
  if (reading.empty) {
    root.dataset.answer = "";
    root.dataset.penalties = "";
    root.dataset.empty = "true";
    answer.textContent = PROMPT;
    answer.dataset.empty = "true";
    clearNetworkView(view);
    return;
  }
  const { pixels, width } = reading.input;
  root.dataset.empty = "false";
  root.dataset.answer = reading.text;
  root.dataset.positions = String(reading.penalties.length);
  root.dataset.penalties = reading.penalties.map((p) => Array.from(p).join(",")).join(";");
  answer.dataset.empty = "false";
  answer.textContent = reading.text ? `read: ${reading.text}` : "read: nothing (no digit found)";
  // As wide as SCALE pixels per input column, or the widget: the layers below line up with it.
  for (const track of view.network.querySelectorAll(".lenet-string-track")) {
    track.style.width = `min(100%, ${width * SCALE}px)`;
  }
  // The input, white on black as the network reads it, drawn in the input colours.
  view.input.width = width;
  view.input.height = HEIGHT;
  view.input.style.width = "100%";
  view.input.style.height = "auto";
  paintValues(view.input, pixels, 0, 0, 255, view.tables[data.input_cmap]);
  view.input.setAttribute("aria-label", `the network's input: 32 rows, ${width} columns`);
  showLabels(view.labels, reading, width, net.grammar.nothing);
  const acts = replicatedForward(net, asInput(pixels, width), width);
  showStrips(view, data, acts, width);
}

// Fig. 26's raw labels: each position's winning class, centred on its column (4k + 16).
function showLabels(row, reading, width, nothing) {
  row.replaceChildren();
  const spoken = [];
  reading.penalties.forEach((penalties, k) => {
    const best = argmin(penalties);
    const label = element("span", "lenet-string-label", best === BLANK ? "·" : String(best));
    label.dataset.level = String(level(penalties[best], nothing));
    label.style.left = `${(100 * (STRIDE * k + WINDOW / 2)) / width}%`;
    row.append(label);
    spoken.push(best === BLANK ? "blank" : String(best));
  });
  row.setAttribute("aria-label", `the winning class at each of the ${spoken.length} output ` +
    `positions, left to right: ${spoken.join(" ")}`);
}

function showStrips(view, data, acts, width) {
  const [lo, hi] = data.activation_range;
  const table = view.tables[data.activation_cmap];
  for (const strip of view.strips) {
    const columns = strip.columns(width);
    const values = acts[strip.name];
    if (strip.canvases.length !== strip.maps || strip.canvases[0].width !== columns) {
      strip.canvases = Array.from({ length: strip.maps }, (_, m) => mapCanvas(columns, strip.rows,
        1, strip.maps > 1 ? `${strip.name} map ${m}, ${columns} columns along the string`
          : `${strip.name}: 120 units (rows) at each of ${columns} positions (columns)`));
      strip.box.replaceChildren(...strip.canvases);
    }
    strip.canvases.forEach((canvas, m) => {
      canvas.style.width = `${(100 * columns * strip.step) / width}%`;
      canvas.style.marginLeft = `${(100 * strip.offset) / width}%`;
      canvas.style.height = strip.name === "C5" ? "120px" : "auto";
      paintValues(canvas, values, m * columns * strip.rows, lo, hi, table);
    });
    strip.caption.textContent = strip.name === "C5"
      ? `C5: 120 units at each of ${columns} positions`
      : `${strip.name}: ${strip.maps} maps ${strip.rows}x${columns}`;
  }
}

function clearNetworkView(view) {
  view.input.width = WINDOW;
  view.input.height = HEIGHT;
  view.input.getContext("2d").clearRect(0, 0, WINDOW, HEIGHT);
  view.input.setAttribute("aria-label", "the network's input: empty");
  view.labels.replaceChildren();
  view.labels.setAttribute("aria-label", "the winning class at each output position: none yet");
  for (const strip of view.strips) {
    strip.box.replaceChildren();
    strip.canvases = [];
    strip.caption.textContent = `${strip.name}: nothing to show yet`;
  }
}
