// The distortion explorer and the invariance panel (lenet_nb/widgets/distortion.py and
// invariance.py): a digit, a slider per transformation, and both trained networks reading the
// transformed digit as the sliders move. Everything is computed in the page, so both work in
// the built book with no kernel:
//   the stored test digit, or the reader's own (from a DigitPad on this or another page)
//   -> Distort.distort (the paper's distortions) or Distort.compose (LeCun's demonstrations)
//   -> for each network: LeNet5.preprocess, LeNet5.forward -> penalties -> the answer, or
//      "not sure" below the rejection threshold, or "no digit" when no ink is left in the field.
// Bundled after lenet_widgets.js and digit_pad.js, whose helpers it uses (element, bytes,
// networksFor, layersView, showLayers, showPenalties, penaltyBars, figureOf, paintValues, ...).

const LIVE_SCALE = 5; // screen pixels per digit pixel in the pictures
const NO_INK = 32; // as lenet_nb.normalise: below this grey level there is no ink

function renderDistortions(model, el) {
  const identity = { translate_x: 0, translate_y: 0, scale: 1, squeeze: 1, shear: 0 };
  return renderLive(model, el, {
    className: "lenet-distortions",
    values: () => Object.fromEntries(Object.keys(identity).map((k) => [k, model.get(k)])),
    change: (changes) => select(model, changes),
    names: Object.keys(identity),
    identity,
    apply: (image, values) => Distort.distort(image, values),
    describe: (values) => `translate (${signed(values.translate_x, 1)}, ` +
      `${signed(values.translate_y, 1)}) px, scale ${values.scale.toFixed(3)}, squeeze ` +
      `${values.squeeze.toFixed(3)}, shear ${signed(values.shear, 2)}`,
    layers: false,
  });
}

function renderInvariance(model, el) {
  const data = model.get("data");
  const identity = Object.fromEntries(data.controls.map((c) => [c.name, c.identity]));
  return renderLive(model, el, {
    className: "lenet-invariance",
    values: () => ({ ...identity, ...model.get("strengths") }),
    change: (changes) => select(model, { strengths: { ...model.get("strengths"), ...changes } }),
    names: ["strengths"],
    identity,
    apply: (image, values) => Distort.compose(image, values, identity),
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

function renderLive(model, el, spec) {
  const data = model.get("data");
  const stored = bytes(data.digits);
  const sources = data.labels.map((label, k) => ({
    name: `digit ${k}: a ${label}`, pixels: stored.subarray(784 * k, 784 * (k + 1)) }));
  const view = liveView(model, data, spec, sources);
  el.append(view.root);
  let networks = null;

  function update() {
    const values = spec.values();
    view.showControls(values);
    const d = Math.max(0, Math.min(sources.length - 1, model.get("digit")));
    const source = sources[d].pixels;
    const shown = spec.apply(source, values);
    paintValues(view.original.canvas, source, 0, 0, 255, view.tables[data.input_cmap]);
    paintValues(view.shown.canvas, shown, 0, 0, 255, view.tables[data.input_cmap]);
    const words = `${sources[d].name}, transformed: ${spec.describe(values)}`;
    view.shown.canvas.setAttribute("aria-label", words);
    view.shown.caption.textContent = spec.describe(values);
    view.root.lenetShown = shown;
    if (!networks) return;
    for (const [name] of data.networks) {
      const reading = readShown(networks[name], shown, data.thresholds[name]);
      view.readers[name].show(reading);
      view.root.dataset[`penalties_${name}`] = reading.acts ? Array.from(reading.acts.output).join(",") : "";
      if (spec.layers && name === view.layersNetwork.value && reading.acts) {
        showLayers(view.layers, data, view.tables, reading.acts, networks[name], reading.best);
      }
    }
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

// What one network makes of a 28x28 digit that is already in MNIST's form.
function readShown(net, pixels, threshold) {
  if (Math.max(...pixels) < NO_INK) {
    return { answer: -1, text: "rejected: no digit (no ink left in the field)" };
  }
  const acts = LeNet5.forward(net, LeNet5.preprocess(pixels));
  const [best, second] = twoSmallest(acts.output);
  const margin = acts.output[second] - acts.output[best];
  const sure = margin >= threshold;
  const text = sure ? `answer: ${best}` : `rejected: not sure (best guess ${best}, margin ` +
    `${margin.toFixed(1)} below ${threshold.toFixed(1)})`;
  return { acts, best, answer: sure ? best : -1, text };
}

// The reader's own digit as one more source, live from a DigitPad or kept from an earlier page.
function followReaderSource(sources, onDigit) {
  const slot = sources.length;
  const take = (pixels, live) => {
    sources[slot] = { name: "your digit", pixels: Uint8Array.from(pixels) };
    onDigit(slot, live);
  };
  const kept = storedReaderDigit();
  if (kept) take(kept, false);
  const listener = (event) => {
    if (!event.detail.empty) take(event.detail.pixels, true);
  };
  window.addEventListener("lenet5:digit", listener);
  return () => window.removeEventListener("lenet5:digit", listener);
}

// ---------------------------------------------------------------- the view

function liveView(model, data, spec, sources) {
  const root = element("div", `lenet-widget lenet-live ${spec.className}`);
  const controls = element("div", "lenet-controls");
  controls.setAttribute("role", "group");
  controls.setAttribute("aria-label", "the digit and its transformation");
  const view = { root, tables: colourTables(data), readers: {} };
  const row = (name, input, output) => {
    const label = element("label", "lenet-control");
    label.append(element("span", "lenet-control-name", name), input);
    if (output) label.append(output);
    controls.append(label);
  };

  const digit = element("select", "lenet-digit");
  const option = (d) => {
    const item = element("option", "", sources[d].name);
    item.value = d;
    digit.append(item);
  };
  sources.forEach((_, d) => option(d));
  view.addSource = (d) => {
    if (digit.options.length <= d) option(d);
  };
  digit.addEventListener("change", () => view.onDigit(Number(digit.value)));
  row("digit", digit);

  const sliders = data.controls.map((control) => {
    const input = element("input", "lenet-slider");
    Object.assign(input, { type: "range", min: control.min, max: control.max, step: control.step });
    input.dataset.field = control.name;
    const output = element("output", "lenet-readout");
    output.setAttribute("aria-hidden", "true"); // the slider announces the value itself
    const value = () => (control.log ? 10 ** Number(input.value) : Number(input.value));
    input.addEventListener("input", () => view.onChange({ [control.name]: value() }));
    row(control.label, input, output);
    return { control, input, output };
  });
  view.showControls = (values) => {
    digit.value = String(model.get("digit"));
    for (const { control, input, output } of sliders) {
      const v = values[control.name];
      input.value = control.log ? Math.log10(v) : v;
      output.textContent = readout(v, control);
      input.setAttribute("aria-valuetext", output.textContent); // not a log slider's exponent
    }
  };
  const reset = element("button", "lenet-reset", "identity");
  reset.type = "button";
  reset.setAttribute("aria-label", "reset every slider to the identity");
  reset.addEventListener("click", () => view.onReset());
  controls.append(reset);

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
  if (spec.layers) {
    view.layersNetwork = element("select", "lenet-layers-network");
    for (const [name, title] of data.networks) {
      const item = element("option", "", title);
      item.value = name;
      view.layersNetwork.append(item);
    }
    view.layersNetwork.addEventListener("change", () => view.onLayers());
    const label = element("label", "lenet-control lenet-layers-choice");
    label.append(element("span", "lenet-control-name", "layers of"), view.layersNetwork);
    view.layers = layersView();
    root.append(label, view.layers.element);
  }
  return view;
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
