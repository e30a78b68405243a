// "Your own digit" (DigitPad, lenet_nb/book/widgets/digit.py): draw or upload a digit and the
// trained LeNet-5 reads it in the page, every layer shown, with no kernel and no network. The
// steps, as lenet_nb.reading.predict does them for an image file:
//   grey levels of the image -> normalise.js (polarity, ink box, 20 px, centre of mass)
//   -> lenet5.js (pad to 32x32, the paper's range, the forward pass) -> the ten penalties
//   -> rejection.js: the smallest penalty wins, unless its margin over the runner-up is below
//      the network's rejection threshold.

import { button, element, figureOf, networkSelect } from "./dom.js";
import { canvasGrey, greyCanvas, readImageFile } from "./images.js";
import { select } from "./model.js";
import { normalise } from "./normalise.js";
import { colourTables, paintValues } from "./paint.js";
import { announceDigit } from "./reader_digit.js";
import { read } from "./rejection.js";
import { LAYERS, showActivations, stagesView } from "./stages.js";
import { networksFor } from "./weights.js";

const PAD_SIZE = 280; // the drawing canvas, in canvas pixels (CSS shrinks it on a phone)
const PEN_WIDTH = 22; // in canvas pixels: after normalisation, about MNIST's stroke width

export function renderDigitPad(model, el) {
  const data = model.get("data");
  const view = padView(data);
  el.append(view.root);
  const state = { strokes: [], upload: null, networks: null, pending: false };
  const redraw = () => drawPad(view.pad, state);

  function recognise() {
    if (!state.networks) return;
    const name = model.get("network");
    const image = state.upload && state.strokes.length === 0 ? state.upload : canvasGrey(view.pad);
    const result = readDigit(state.networks[name], image, data.thresholds[name]);
    showResult(view, data, result, state.networks[name]);
    // For tests and the curious: what was read, and what it was made into.
    view.root.lenetGrey = image;
    view.root.lenetDigit = result.pixels;
    select(model, { digit: Array.from(result.pixels), answer: result.answer });
    // The explorer and the C3 table (on this page and others) take the reader's digit too.
    announceDigit(view.root, { pixels: result.pixels, empty: result.empty,
                               networks: state.networks });
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
  view.network.addEventListener("change", () => select(model, { network: view.network.value }));
  model.on("change:network", () => {
    view.network.value = model.get("network");
    recognise();
  });
  view.network.value = model.get("network");
  redraw();
  loadNetworks(model, view, (networks) => {
    state.networks = networks;
    recognise();
  });
}

// Recognise at most once per frame, however fast the pointer moves.
function oncePerFrame(state, recognise) {
  if (state.pending) return;
  state.pending = true;
  requestAnimationFrame(() => {
    state.pending = false;
    recognise();
  });
}

function loadNetworks(model, view, loaded) {
  view.message.textContent = "loading the trained network…";
  networksFor(model).then((networks) => {
    view.root.dataset.ready = "true";
    loaded(networks);
  }, (err) => {
    view.message.textContent = err.message;
    view.root.dataset.ready = "failed";
  });
}

// The digit an image holds: normalised like MNIST's, then read by `net` (rejection.js); an image
// with no ink is not read at all.
function readDigit(net, image, threshold) {
  const normalised = normalise(image.grey, image.width, image.height, "auto");
  if (normalised.empty) {
    return { ...normalised, answer: -1, reason: "empty: draw a digit, or upload an image of one" };
  }
  const reading = read(net, normalised.pixels, threshold);
  const reason = reading.answer >= 0 ? ""
    : `not sure: margin ${reading.margin.toFixed(2)} is below ${threshold.toFixed(2)}`;
  return { ...normalised, ...reading, reason };
}

// ---------------------------------------------------------------- drawing

function drawPad(pad, state) {
  const ctx = pad.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
  if (state.upload) drawFitted(ctx, state.upload);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = PEN_WIDTH;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const stroke of state.strokes) {
    ctx.beginPath();
    ctx.moveTo(...stroke[0]);
    for (const point of stroke) ctx.lineTo(...point);
    ctx.stroke();
  }
}

// An uploaded image shown on the pad: scaled to fit, centred.
function drawFitted(ctx, image) {
  const scale = Math.min(PAD_SIZE / image.width, PAD_SIZE / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  ctx.drawImage(greyCanvas(image), (PAD_SIZE - w) / 2, (PAD_SIZE - h) / 2, w, h);
}

// Strokes from mouse, touch or pen alike (pointer events), in canvas pixels.
function listenForStrokes(pad, state, changed) {
  const at = (event) => {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * (pad.width / box.width),
      (event.clientY - box.top) * (pad.height / box.height)];
  };
  let drawing = false;
  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    drawing = true;
    state.upload = null; // drawing starts a new digit
    state.strokes.push([at(event)]);
    changed();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    event.preventDefault();
    state.strokes[state.strokes.length - 1].push(at(event));
    changed();
  });
  const stop = () => {
    drawing = false;
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
}

// Clear, undo and upload; each ends with `changed()`.
function listenForControls(view, state, changed) {
  view.clear.addEventListener("click", () => {
    state.strokes = [];
    state.upload = null;
    changed();
  });
  view.undo.addEventListener("click", () => {
    if (state.strokes.length) state.strokes.pop();
    else state.upload = null;
    changed();
  });
  view.file.addEventListener("change", async () => {
    const file = view.file.files[0];
    view.file.value = ""; // the same file again is a new choice
    if (!file) return;
    try {
      state.upload = await readImageFile(file);
      state.strokes = [];
      changed();
    } catch (err) {
      view.message.textContent = err.message;
    }
  });
}

// ---------------------------------------------------------------- the view

function padView(data) {
  const root = element("div", "lenet-widget lenet-pad");
  const pad = element("canvas", "lenet-pad-canvas");
  pad.width = pad.height = PAD_SIZE;
  pad.setAttribute("role", "img");
  pad.setAttribute("aria-label", "drawing area: draw one digit with a mouse, a finger or a pen");
  const controls = padControls(data);
  const message = element("p", "lenet-pad-message");
  message.setAttribute("aria-live", "polite");
  const answer = element("div", "lenet-pad-answer");
  const normalised = figureOf(28, 28, 4, "the digit as MNIST's were made: 28x28, centred");
  const layers = stagesView(LAYERS);
  const left = element("div", "lenet-pad-left");
  left.append(pad, controls.element);
  const right = element("div", "lenet-pad-right");
  right.append(answer, message, normalised.figure);
  const top = element("div", "lenet-pad-top");
  top.append(left, right);
  root.append(top, layers.element);
  return { root, pad, ...controls, message, answer, normalised, layers,
           tables: colourTables(data) };
}

function padControls(data) {
  const clear = button("lenet-pad-button", "clear", "clear the drawing");
  const undo = button("lenet-pad-button", "undo", "undo the last stroke");
  const file = element("input", "lenet-pad-file");
  file.type = "file";
  file.accept = "image/*";
  const upload = element("label", "lenet-pad-upload", "upload an image ");
  upload.append(file);
  const network = networkSelect("lenet-pad-network", data.networks);
  const networkLabel = element("label", "lenet-pad-network-label", "network ");
  networkLabel.append(network);
  const controls = element("div", "lenet-pad-controls");
  controls.append(clear, undo, upload, networkLabel);
  return { element: controls, clear, undo, file, network };
}

function showResult(view, data, result, net) {
  paintValues(view.normalised.canvas, result.pixels, 0, 0, 255, view.tables[data.input_cmap]);
  view.root.dataset.answer = result.answer;
  view.answer.textContent = result.answer >= 0 ? `answer: ${result.answer}` : "rejected";
  view.message.textContent = result.answer >= 0
    ? `margin over the runner-up: ${result.margin.toFixed(2)}` : result.reason;
  if (!result.acts) {
    view.root.dataset.penalties = "";
    return;
  }
  const [lo, hi] = data.activation_range;
  const colours = { lo, hi, table: view.tables[data.activation_cmap] };
  showActivations(view.layers, result.acts, net, result.best, colours);
  view.root.dataset.penalties = Array.from(result.acts.output).join(",");
}
