// The distortion explorer and the invariance panel (lenet_nb/book/widgets/distortion.py and
// invariance.py): a digit, a slider per transformation, and both trained networks reading the
// transformed digit as the sliders move. Everything is computed in the page, so both work in
// the built book with no kernel:
//   the stored test digit, or the reader's own (from a DigitPad on this or another page)
//   -> distort.js: distort (the paper's distortions) or compose (LeCun's demonstrations)
//   -> for each network: "no digit" when no ink is left in the field (ink.js), else lenet5.js's
//      forward pass and rejection.js's answer or "not sure".

import { compose, distort } from "./distort.js";
import { element, figureOf, networkSelect } from "./dom.js";
import { hasInk } from "./ink.js";
import { onChanges, select } from "./model.js";
import { bytes, colourTables, paintValues } from "./paint.js";
import { penaltyBars, showPenalties } from "./penalty_bars.js";
import { followReaderSource } from "./reader_digit.js";
import { read } from "./rejection.js";
import { LAYERS, showActivations, stagesView } from "./stages.js";
import { networksFor } from "./weights.js";

const LIVE_SCALE = 5; // screen pixels per digit pixel in the pictures

export function renderDistortions(model, el) {
  const identity = { translate_x: 0, translate_y: 0, scale: 1, squeeze: 1, shear: 0 };
  return renderLive(model, el, {
    className: "lenet-distortions",
    values: () => Object.fromEntries(Object.keys(identity).map((k) => [k, model.get(k)])),
    change: (changes) => select(model, changes),
    names: Object.keys(identity),
    identity,
    apply: (image, values) => distort(image, values),
    describe: (values) => `translate (${signed(values.translate_x, 1)}, ` +
      `${signed(values.translate_y, 1)}) px, scale ${values.scale.toFixed(3)}, squeeze ` +
      `${values.squeeze.toFixed(3)}, shear ${signed(values.shear, 2)}`,
    layers: false,
  });
}

export function renderInvariance(model, el) {
  const data = model.get("data");
  const identity = Object.fromEntries(data.controls.map((c) => [c.name, c.identity]));
  return renderLive(model, el, {
    className: "lenet-invariance",
    values: () => ({ ...identity, ...model.get("strengths") }),
    change: (changes) => select(model, { strengths: { ...model.get("strengths"), ...changes } }),
    names: ["strengths"],
    identity,
    apply: (image, values) => compose(image, values, identity),
    describe: (values) => {
      const moved = data.controls.filter((c) => values[c.name] !== c.identity);
      return moved.length === 0 ? "no transformation"
        : moved.map((c) => `${c.name} ${readout(values[c.name], c)}`).join(", ");
    },
    layers: true,
  });
}

function signed(value, decimals) {
  return (value >= 0 ? "+" : "") + value.toFixed(decimals);
}

// A number as a slider's readout: `decimals` places, with a sign when `signed`.
function readout(value, control) {
  const text = value.toFixed(control.decimals);
  return control.signed && value >= 0 ? "+" + text : text;
}

// The stored digits as sources: { name, pixels (784 grey levels) }.
function storedSources(data) {
  const stored = bytes(data.digits);
  return data.labels.map((label, k) => ({
    name: `digit ${k}: a ${label}`, pixels: stored.subarray(784 * k, 784 * (k + 1)) }));
}

function renderLive(model, el, spec) {
  const data = model.get("data");
  const sources = storedSources(data);
  const view = liveView(model, data, spec, sources);
  el.append(view.root);
  let networks = null;

  function update() {
    const values = spec.values();
    view.showControls(values);
    const d = Math.max(0, Math.min(sources.length - 1, model.get("digit")));
    const shown = spec.apply(sources[d].pixels, values);
    showPictures(view, data, sources[d], shown, spec.describe(values));
    if (networks) showReadings(view, data, spec, networks, shown);
    view.root.dataset.digit = d;
  }

  view.onDigit = (d) => {
    select(model, { digit: d });
    update(); // no kernel: the trait changed locally, draw now
  };
  view.onChange = (changes) => {
    spec.change(changes);
    update();
  };
  view.onReset = () => view.onChange(spec.identity);
  view.onLayers = update;
  const stopReader = followReaderSource(sources, (d, live) => {
    view.addSource(d);
    if (live) view.onDigit(d);
  });
  update();
  networksFor(model).then((loaded) => {
    networks = loaded;
    view.root.dataset.ready = "true";
    update();
  }, (err) => {
    view.message.textContent = err.message;
    view.root.dataset.ready = "failed";
  });
  const stop = onChanges(model, ["digit", ...spec.names], update);
  return () => {
    stop();
    stopReader();
  };
}

// The digit and its transformation (`words` says which).
function showPictures(view, data, source, shown, words) {
  const table = view.tables[data.input_cmap];
  paintValues(view.original.canvas, source.pixels, 0, 0, 255, table);
  paintValues(view.shown.canvas, shown, 0, 0, 255, table);
  view.shown.canvas.setAttribute("aria-label", `${source.name}, transformed: ${words}`);
  view.shown.caption.textContent = words;
  view.root.lenetShown = shown;
}

// Each network's reading of the transformed digit; the chosen network's layers (invariance).
function showReadings(view, data, spec, networks, shown) {
  for (const [name] of data.networks) {
    const reading = readShown(networks[name], shown, data.thresholds[name]);
    view.readers[name].show(reading);
    const penalties = reading.acts ? Array.from(reading.acts.output).join(",") : "";
    view.root.dataset[`penalties_${name}`] = penalties; // for tests and the curious
    if (spec.layers && name === view.layersNetwork.value && reading.acts) {
      const [lo, hi] = data.activation_range;
      const colours = { lo, hi, table: view.tables[data.activation_cmap] };
      showActivations(view.layers, reading.acts, networks[name], reading.best, colours);
    }
  }
}

// What one network makes of a 28x28 digit that is already in MNIST's form.
function readShown(net, pixels, threshold) {
  if (!hasInk(pixels)) return { answer: -1, text: "rejected: no digit (no ink left in the field)" };
  const reading = read(net, pixels, threshold);
  const { best, margin, answer } = reading;
  const text = answer >= 0 ? `answer: ${best}` : `rejected: not sure (best guess ${best}, margin ` +
    `${margin.toFixed(1)} below ${threshold.toFixed(1)})`;
  return { ...reading, text };
}

// ---------------------------------------------------------------- the view

function liveView(model, data, spec, sources) {
  const root = element("div", `lenet-widget lenet-live ${spec.className}`);
  const view = { root, tables: colourTables(data), readers: {} };
  const controls = liveControls(model, data, view, sources);
  view.original = figureOf(28, 28, LIVE_SCALE, "the digit");
  view.shown = figureOf(28, 28, LIVE_SCALE, "");
  const pictures = element("div", "lenet-live-pictures");
  pictures.append(view.original.figure, view.shown.figure);
  const readers = element("div", "lenet-live-readers");
  for (const [name, title] of data.networks) {
    view.readers[name] = networkReader(name, title);
    readers.append(view.readers[name].element);
  }
  view.message = element("p", "lenet-note");
  view.message.setAttribute("role", "status");
  const top = element("div", "lenet-live-top");
  top.append(controls, pictures);
  root.append(top, readers, view.message);
  if (spec.layers) root.append(...layersChoice(data, view));
  return view;
}

// The digit picker, a slider per control and the reset button; sets view.addSource and
// view.showControls, and calls view.onDigit, onChange, onReset.
function liveControls(model, data, view, sources) {
  const controls = element("div", "lenet-controls");
  controls.setAttribute("role", "group");
  controls.setAttribute("aria-label", "the digit and its transformation");
  const row = (name, input, output) => {
    const label = element("label", "lenet-control");
    label.append(element("span", "lenet-control-name", name), input);
    if (output) label.append(output);
    controls.append(label);
  };
  const digit = digitPicker(view, sources);
  row("digit", digit);
  controls.append(ownDigitNote(view));
  const sliders = data.controls.map((control) => {
    const s = slider(control, view);
    row(control.label, s.input, s.output);
    return s;
  });
  view.showControls = (values) => {
    digit.value = String(model.get("digit"));
    for (const s of sliders) s.show(values[s.control.name]);
  };
  const reset = element("button", "lenet-reset", "identity");
  reset.type = "button";
  reset.setAttribute("aria-label", "reset every slider to the identity");
  reset.addEventListener("click", () => view.onReset());
  controls.append(reset);
  return controls;
}

// How to add the reader's own digit, until there is one (the DigitPad of "Your own digits" keeps
// the last digit drawn in this browser: reader_digit.js); then where it is in the picker.
function ownDigitNote(view) {
  const note = element("p", "lenet-note lenet-own-digit");
  const link = element("a", "", "Your own digits");
  link.href = "11_your_digits.html";
  note.append("Your own digit: draw one on ", link, "; this browser keeps it, and it appears here.");
  view.showOwnDigit = () => {
    note.textContent = "The last entry, “your digit”, is the one you last drew on Your own digits.";
  };
  return note;
}

function digitPicker(view, sources) {
  const digit = element("select", "lenet-digit");
  const option = (d) => {
    const item = element("option", "", sources[d].name);
    item.value = d;
    digit.append(item);
  };
  sources.forEach((_, d) => option(d));
  view.addSource = (d) => {
    if (digit.options.length <= d) option(d);
    view.showOwnDigit();
  };
  digit.addEventListener("change", () => view.onDigit(Number(digit.value)));
  return digit;
}

// One control's range input (a log slider moves the base-10 exponent) and its readout.
function slider(control, view) {
  const input = element("input", "lenet-slider");
  Object.assign(input, { type: "range", min: control.min, max: control.max, step: control.step });
  input.dataset.field = control.name;
  const output = element("output", "lenet-readout");
  output.setAttribute("aria-hidden", "true"); // the slider announces the value itself
  const value = () => (control.log ? 10 ** Number(input.value) : Number(input.value));
  input.addEventListener("input", () => view.onChange({ [control.name]: value() }));
  const show = (v) => {
    input.value = control.log ? Math.log10(v) : v;
    output.textContent = readout(v, control);
    input.setAttribute("aria-valuetext", output.textContent); // not a log slider's exponent
  };
  return { control, input, output, show };
}

// The invariance panel's choice of network and that network's layers (stages.js).
function layersChoice(data, view) {
  view.layersNetwork = networkSelect("lenet-layers-network", data.networks);
  view.layersNetwork.addEventListener("change", () => view.onLayers());
  const label = element("label", "lenet-control lenet-layers-choice");
  label.append(element("span", "lenet-control-name", "layers of"), view.layersNetwork);
  view.layers = stagesView(LAYERS);
  return [label, view.layers.element];
}

// One network's reading: its answer (or why it rejects) and its ten penalties.
function networkReader(name, title) {
  const figure = element("figure", "lenet-stage lenet-reader");
  figure.dataset.network = name;
  const answer = element("div", "lenet-reader-answer");
  answer.setAttribute("role", "status");
  const bars = penaltyBars();
  figure.append(element("div", "lenet-reader-title", title), answer, bars.figure);
  return {
    element: figure,
    show(reading) {
      answer.textContent = reading.text;
      figure.dataset.answer = reading.answer;
      bars.figure.hidden = !reading.acts;
      if (reading.acts) showPenalties(bars, reading.acts.output, reading.best);
    },
  };
}
