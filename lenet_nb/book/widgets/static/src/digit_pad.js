// "Your own digit" (DigitPad, lenet_nb/book/widgets/digit.py): draw or upload a digit and the
// trained LeNet-5 reads it in the page, every layer shown, with no kernel and no network. The
// steps, as lenet_nb.reading.predict does them for an image file:
//   grey levels of the image -> normalise.js (polarity, ink box, 20 px, centre of mass)
//   -> lenet5.js (pad to 32x32, the paper's range, the forward pass) -> the ten penalties
//   -> rejection.js: the smallest penalty wins, unless its margin over the runner-up is below
//      the network's rejection threshold.
// The reader may pick one of LeNet-5's family instead (family.js; LeNet-1 reads the digit
// shrunk to 16x16): its weights (static/family_weights.js) are loaded on that first choice.

import { element, figureOf, networkSelect } from "./dom.js";
import { drawPad, drawingControls, listenForControls, listenForStrokes, oncePerFrame,
  padCanvas } from "./drawing.js";
import { canvasGrey } from "./images.js";
import { select } from "./model.js";
import { normalise, stages } from "./normalise.js";
import { notADigit } from "./not_a_digit.js";
import { colourTables, paintValues } from "./paint.js";
import { announceDigit } from "./reader_digit.js";
import { followKeptNetwork, keptNetwork, READER_NETWORK } from "./reader_network.js";
import { read } from "./rejection.js";
import { drawnArchitecture } from "./family.js";
import { FAMILY_LAYERS, LAYERS, showActivations, stagesView } from "./stages.js";
import { familyFor, networksFor } from "./weights.js";

const PAD_SIZE = 280; // the drawing canvas, in canvas pixels (CSS shrinks it on a phone)
const PEN_WIDTH = 22; // in canvas pixels: after normalisation, about MNIST's stroke width

export function renderDigitPad(model, el) {
  const data = model.get("data");
  const view = padView(data);
  el.append(view.root);
  const state = { strokes: [], upload: null, networks: null, pending: false };
  const redraw = () => drawPad(view.pad, state, PEN_WIDTH);

  function recognise() {
    if (!state.networks) return;
    const chosen = model.get("network");
    if (!state.networks[chosen] && chosen !== READER_NETWORK) {
      loadFamily(model, view, state, recognise); // LeNet-5's family, loaded on first use
      return;
    }
    // The reader's own network may be gone (another browser): then LeNet-5 reads.
    const name = state.networks[chosen] ? chosen : "paper";
    const net = state.networks[name];
    const image = state.upload && state.strokes.length === 0 ? state.upload : canvasGrey(view.pad);
    // The reader's own network has no measured rejection threshold: it answers every digit.
    const threshold = name === READER_NETWORK ? 0 : data.thresholds[name];
    const result = readDigit(net, image, threshold, data.not_a_digit);
    showResult(view, data, result, net);
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
    state.networks = withKeptNetwork(networks, view);
    recognise();
    followKeptNetwork(() => {
      // The kept network changed in another page: replace it, keeping any family loaded since.
      const { [READER_NETWORK]: _previous, ...loaded } = state.networks;
      state.networks = withKeptNetwork(loaded, view);
      recognise();
    });
  });
}

// LeNet-5's family, once, when the reader first picks one of it: its networks join the pad's.
function loadFamily(model, view, state, loaded) {
  view.root.dataset.ready = "loading";
  view.message.textContent = "loading LeNet-5's family…";
  if (state.family) return;
  state.family = familyFor(model).then((family) => {
    state.networks = { ...state.networks, ...family }; // the loaded files stay as they are
    view.root.dataset.ready = "true";
    loaded();
  }, (err) => {
    state.family = null; // the next choice tries again
    view.message.textContent = err.message;
    view.root.dataset.ready = "failed";
  });
}

// The book's networks, and the one the reader trained in the Training chapter if the browser
// keeps one (offered as one more choice of the network select).
function withKeptNetwork(networks, view) {
  const kept = keptNetwork();
  let option = view.network.querySelector(`option[value="${READER_NETWORK}"]`);
  if (!kept) {
    if (option) option.remove();
    return networks;
  }
  if (!option) {
    option = element("option");
    option.value = READER_NETWORK;
    view.network.append(option);
  }
  option.textContent = `yours: trained in the page (${kept.about.patterns.toLocaleString("en")} ` +
    "patterns)";
  return { ...networks, [READER_NETWORK]: kept.net };
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
// with no ink, or one that is not a digit (not_a_digit.js), is not read at all.
function readDigit(net, image, threshold, rule) {
  const normalised = normalise(image.grey, image.width, image.height, "auto");
  if (normalised.empty) {
    return { ...normalised, answer: -1, reason: "empty: draw a digit, or upload an image of one" };
  }
  const why = notADigit(normalised.pixels, rule);
  if (why) return { ...normalised, answer: -1, reason: `not a digit: ${why}` + severalDigits(image) };
  const reading = read(net, normalised.pixels, threshold);
  const reason = reading.answer >= 0 ? ""
    : `not sure: margin ${reading.margin.toFixed(2)} is below ${threshold.toFixed(2)}` +
      severalDigits(image);
  return { ...normalised, ...reading, reason, threshold };
}

// What the margin is measured against, and for boosted LeNet-4 how many of its nets ran.
function marginNote(result) {
  const unjudged = result.threshold === null
    ? ` (no rejection threshold is committed for this network yet: it is never "not sure")` : "";
  const skipped = result.acts.skipped === undefined ? ""
    : result.acts.skipped ? "; the first net was sure, so the other two did not run"
      : "; all three nets ran";
  return `margin over the runner-up: ${result.margin.toFixed(2)}${unjudged}${skipped}`;
}

// Ink much wider than tall is likely several digits, which this network cannot read at once.
const SEVERAL_DIGITS_ASPECT = 1.6;

function severalDigits(image) {
  const { cropped } = stages(image.grey, image.width, image.height, "auto");
  return cropped && cropped.width > SEVERAL_DIGITS_ASPECT * cropped.height
    ? ". This looks like several digits: the string reader of the chapter \"Reading strings " +
      "without segmentation\" reads them all"
    : "";
}

// ---------------------------------------------------------------- the view

function padView(data) {
  const root = element("div", "lenet-widget lenet-pad");
  const pad = padCanvas("lenet-pad-canvas", PAD_SIZE, PAD_SIZE,
    "drawing area: draw one digit with a mouse, a finger or a pen");
  const controls = padControls(data);
  const message = element("p", "lenet-pad-message");
  message.setAttribute("aria-live", "polite");
  const answer = element("div", "lenet-pad-answer");
  const normalised = figureOf(28, 28, 4, "the digit as MNIST's were made: 28x28, centred");
  const left = element("div", "lenet-pad-left");
  left.append(pad, controls.element);
  const right = element("div", "lenet-pad-right");
  right.append(answer, message, normalised.figure);
  const top = element("div", "lenet-pad-top");
  top.append(left, right);
  const lenet5 = stagesView(LAYERS);
  const layers = element("div", "lenet-pad-layers");
  layers.append(lenet5.element);
  root.append(top, layers);
  return { root, pad, ...controls, message, answer, normalised, layers,
           layerViews: { lenet5 }, tables: colourTables(data) };
}

// The stages of the network `net` draws (LeNet-5's, LeNet-1's or LeNet-4's), made on first use;
// the others hidden.
function layersFor(view, net) {
  const architecture = drawnArchitecture(net);
  if (!view.layerViews[architecture]) {
    view.layerViews[architecture] = architecture === "lenet5" ? stagesView(LAYERS)
      : stagesView(FAMILY_LAYERS[architecture], false);
    view.layers.append(view.layerViews[architecture].element);
  }
  for (const [name, shown] of Object.entries(view.layerViews)) shown.element.hidden = name !== architecture;
  return view.layerViews[architecture];
}

function padControls(data) {
  const { clear, undo, file, upload } = drawingControls("lenet-pad", "");
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
  // An empty pad has nothing to reject: it waits for a digit instead.
  view.answer.textContent = result.answer >= 0 ? `answer: ${result.answer}`
    : result.empty ? "no digit yet" : "rejected";
  view.message.textContent = result.answer >= 0 ? marginNote(result) : result.reason;
  const layers = layersFor(view, net);
  if (!result.acts) {
    view.root.dataset.penalties = "";
    return;
  }
  const [lo, hi] = data.activation_range;
  const colours = { lo, hi, table: view.tables[data.activation_cmap] };
  showActivations(layers, result.acts, net, result.best, colours);
  view.root.dataset.penalties = Array.from(result.acts.output).join(",");
}
