// "Your own digit" (DigitPad, lenet_nb/widgets/digit.py): draw or upload a digit and the trained
// LeNet-5 reads it in the page, every layer shown, with no kernel and no network.
//
// Bundled after lenet_widgets.js (whose element() and bytes() it uses) and after two libraries
// that lenet_nb/widgets/base.py wraps as namespaces: LeNet5 (lenet5.js, the forward pass) and
// Normalise (normalise.js, the MNIST-style normalisation). The steps, as lenet_nb.predict does
// them for an image file:
//   grey levels of the image -> Normalise.normalise (polarity, ink box, 20 px, centre of mass)
//   -> LeNet5.preprocess (pad to 32x32, the paper's range) -> LeNet5.forward -> penalties
//   -> the smallest penalty wins, unless its margin over the runner-up is below the rejection
//      threshold measured on the test set (lenet_nb.rejection).

const PAD_SIZE = 280; // the drawing canvas, in canvas pixels (CSS shrinks it on a phone)
const PEN_WIDTH = 22; // in canvas pixels: after normalisation, about MNIST's stroke width
const UPLOAD_SIDE = 512; // an uploaded image is read at most this large (bounded work)
const LAYER_STAGES = [
  // layer, maps, height, width, screen pixels per value, columns of maps, caption
  ["C1", 6, 28, 28, 2, 2, "C1: 6 maps 28x28"],
  ["S2", 6, 14, 14, 3, 2, "S2: 6 maps 14x14"],
  ["C3", 16, 10, 10, 2.5, 4, "C3: 16 maps 10x10"],
  ["S4", 16, 5, 5, 4, 4, "S4: 16 maps 5x5"],
  ["C5", 1, 10, 12, 6, 1, "C5: 120 units, as 10x12"],
];

function renderDigitPad(model, el) {
  const data = model.get("data");
  const view = padView(data);
  el.append(view.root);
  const state = { strokes: [], upload: null, networks: null, pending: false };

  function redraw() {
    const ctx = view.pad.getContext("2d");
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

  // Recognise at most once per frame, however fast the pointer moves.
  function schedule() {
    if (state.pending) return;
    state.pending = true;
    requestAnimationFrame(() => {
      state.pending = false;
      recognise();
    });
  }

  function recognise() {
    if (!state.networks) return;
    const name = model.get("network");
    const image = state.upload && state.strokes.length === 0 ? state.upload : padGrey(view.pad);
    const result = readDigit(state.networks[name], image, data.thresholds[name]);
    showResult(view, data, result, state.networks[name]);
    // For tests and the curious: what was read, and what it was made into.
    view.root.lenetGrey = image;
    view.root.lenetDigit = result.pixels;
    select(model, { digit: Array.from(result.pixels), answer: result.answer });
    // The explorer and the C3 table on this page take the reader's digit too.
    const detail = { pixels: result.pixels, empty: result.empty, networks: state.networks };
    if (!result.empty) keepReaderDigit(result.pixels);
    view.root.dispatchEvent(new CustomEvent("lenet5:digit", { bubbles: true, detail }));
  }

  listenForStrokes(view.pad, state, () => {
    redraw();
    schedule();
  });
  view.clear.addEventListener("click", () => {
    state.strokes = [];
    state.upload = null;
    redraw();
    recognise();
  });
  view.undo.addEventListener("click", () => {
    if (state.strokes.length) state.strokes.pop();
    else state.upload = null;
    redraw();
    recognise();
  });
  view.file.addEventListener("change", async () => {
    const file = view.file.files[0];
    view.file.value = ""; // the same file again is a new choice
    if (!file) return;
    try {
      state.upload = await readImageFile(file);
      state.strokes = [];
      redraw();
      recognise();
    } catch (err) {
      view.message.textContent = err.message;
    }
  });
  view.network.addEventListener("change", () => {
    select(model, { network: view.network.value });
  });
  model.on("change:network", () => {
    view.network.value = model.get("network");
    recognise();
  });

  view.network.value = model.get("network");
  redraw();
  view.message.textContent = "loading the trained network…";
  networksFor(model).then((networks) => {
    state.networks = networks;
    view.root.dataset.ready = "true";
    recognise();
  }, (err) => {
    view.message.textContent = err.message;
    view.root.dataset.ready = "failed";
  });
}

// ---------------------------------------------------------------- recognition

// The digit an image holds: normalised like MNIST's, read by `net`, the answer or the rejection.
function readDigit(net, image, threshold) {
  const normalised = Normalise.normalise(image.grey, image.width, image.height, "auto");
  if (normalised.empty) {
    return { ...normalised, answer: -1, reason: "empty: draw a digit, or upload an image of one" };
  }
  const acts = LeNet5.forward(net, LeNet5.preprocess(normalised.pixels));
  const [best, second] = twoSmallest(acts.output);
  const margin = acts.output[second] - acts.output[best];
  const sure = margin >= threshold;
  const reason = sure ? "" : `not sure: margin ${margin.toFixed(2)} is below ${threshold.toFixed(2)}`;
  return { ...normalised, acts, best, margin, answer: sure ? best : -1, reason };
}

function twoSmallest(values) {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  return [order[0], order[1]];
}

// The weights: the book's script in a built page; in a live kernel, the widget's own message.
function networksFor(model) {
  return LeNet5.loadWeights().catch((pageError) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(pageError), 20000);
    model.on("msg:custom", (msg) => {
      if (msg.kind !== "weights") return;
      clearTimeout(timer);
      resolve(LeNet5.decodeNetworks(msg.payload));
    });
    try {
      model.send({ kind: "weights?" });
    } catch (err) {
      clearTimeout(timer); // no kernel to ask
      reject(pageError);
    }
  }));
}

// ---------------------------------------------------------------- images

// Grey levels as the Python reads them (lenet_nb.pixels): ITU-R BT.601 luma of the RGB.
function luma(rgba, i) {
  return 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
}

function padGrey(canvas) {
  const rgba = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const grey = new Float32Array(canvas.width * canvas.height);
  for (let i = 0; i < grey.length; i++) grey[i] = luma(rgba, i);
  return { grey, width: canvas.width, height: canvas.height };
}

// An image file -> {grey, width, height}: decoded by the browser, drawn at most UPLOAD_SIDE
// pixels on its longer side, colour to luma, transparency over a background (Normalise.flattenAlpha).
async function readImageFile(file) {
  if (!file.type.startsWith("image/")) {
    throw new Error(`${file.name} is not an image (type ${file.type || "unknown"}): ` +
      "choose a PNG, JPEG, GIF or WebP file");
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (err) {
    throw new Error(`${file.name} could not be read as an image: the file is damaged or in a ` +
      "format this browser cannot decode");
  }
  const scale = Math.min(1, UPLOAD_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const grey = new Float32Array(width * height);
  const alpha = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = luma(rgba, i);
    alpha[i] = rgba[4 * i + 3];
  }
  return { grey: Normalise.flattenAlpha(grey, alpha), width, height };
}

// An uploaded image shown on the pad: scaled to fit, centred.
function drawFitted(ctx, image) {
  const picture = greyCanvas(image.grey, image.width, image.height);
  const scale = Math.min(PAD_SIZE / image.width, PAD_SIZE / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  ctx.drawImage(picture, (PAD_SIZE - w) / 2, (PAD_SIZE - h) / 2, w, h);
}

function greyCanvas(grey, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < grey.length; i++) {
    image.data.fill(Math.round(grey[i]), 4 * i, 4 * i + 3);
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
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

// ---------------------------------------------------------------- the view

function padView(data) {
  const root = element("div", "lenet-widget lenet-pad");
  const pad = element("canvas", "lenet-pad-canvas");
  pad.width = pad.height = PAD_SIZE;
  pad.setAttribute("role", "img");
  pad.setAttribute("aria-label", "drawing area: draw one digit with a mouse, a finger or a pen");
  const clear = button("clear", "clear the drawing");
  const undo = button("undo", "undo the last stroke");
  const file = element("input", "lenet-pad-file");
  file.type = "file";
  file.accept = "image/*";
  const upload = element("label", "lenet-pad-upload", "upload an image ");
  upload.append(file);
  const network = element("select", "lenet-pad-network");
  for (const [name, title] of data.networks) {
    const option = element("option", "", title);
    option.value = name;
    network.append(option);
  }
  const networkLabel = element("label", "lenet-pad-network-label", "network ");
  networkLabel.append(network);
  const controls = element("div", "lenet-pad-controls");
  controls.append(clear, undo, upload, networkLabel);
  const message = element("p", "lenet-pad-message");
  message.setAttribute("aria-live", "polite");
  const answer = element("div", "lenet-pad-answer");

  const tables = colourTables(data);
  const normalised = figureOf(28, 28, 4, "the digit as MNIST's were made: 28x28, centred");
  const layers = layersView();
  const top = element("div", "lenet-pad-top");
  const left = element("div", "lenet-pad-left");
  left.append(pad, controls);
  const right = element("div", "lenet-pad-right");
  right.append(answer, message, normalised.figure);
  top.append(left, right);
  root.append(top, layers.element);
  return { root, pad, clear, undo, file, network, message, answer, normalised, layers, tables };
}

function colourTables(data) {
  const tables = {};
  for (const [name, b64] of Object.entries(data.colour_tables)) tables[name] = bytes(b64);
  return tables;
}

// Every layer's maps for one digit, F6 beside the prototype of the answer, the ten penalties:
// `show(acts, net, best)` paints them (the colours: data's activation table and range).
function layersView() {
  const root = element("div", "lenet-stages");
  const maps = {};
  for (const [name, count, height, width, scale, columns, caption] of LAYER_STAGES) {
    const figure = element("figure", "lenet-stage");
    figure.dataset.layer = name;
    const grid = element("div", "lenet-grid");
    grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
    maps[name] = Array.from({ length: count }, (_, m) => {
      const canvas = valuesCanvas(width, height, scale, count > 1 ? `${name} map ${m}` : caption);
      grid.append(canvas);
      return canvas;
    });
    figure.append(grid, element("figcaption", "", caption));
    root.append(figure);
  }
  const f6 = figureOf(12, 7, 6, "F6 as 7x12");
  const prototype = figureOf(12, 7, 6, "the answer's prototype");
  const bars = penaltyBars();
  root.append(f6.figure, prototype.figure, bars.figure);
  return { element: root, maps, f6, prototype, bars };
}

function showLayers(view, data, tables, acts, net, best) {
  const [lo, hi] = data.activation_range;
  const colours = tables[data.activation_cmap];
  for (const [name, , height, width] of LAYER_STAGES) {
    const size = name === "C5" ? 120 : height * width;
    view.maps[name].forEach((canvas, m) => paintValues(canvas, acts[name], m * size, lo, hi, colours));
  }
  paintValues(view.f6.canvas, acts.F6, 0, lo, hi, colours);
  paintValues(view.prototype.canvas, net.output.prototypes, 84 * best, lo, hi, colours);
  view.prototype.caption.textContent = `the prototype of ${best}`;
  view.prototype.canvas.setAttribute("aria-label", `the prototype of ${best}, as 7x12`);
  showPenalties(view.bars, acts.output, best);
}

function showPenalties(bars, penalties, best) {
  const largest = Math.max(...penalties);
  bars.rows.forEach(({ row, bar, value }, c) => {
    bar.style.width = (100 * penalties[c]) / largest + "px";
    value.textContent = penalties[c].toFixed(1);
    row.classList.toggle("lenet-winner", c === best);
  });
}

function button(text, label) {
  const node = element("button", "lenet-pad-button", text);
  node.type = "button";
  node.setAttribute("aria-label", label);
  return node;
}

function valuesCanvas(width, height, scale, label) {
  const canvas = element("canvas", "lenet-map");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = width * scale + "px";
  canvas.style.height = height * scale + "px";
  return canvas;
}

function figureOf(width, height, scale, caption) {
  const figure = element("figure", "lenet-stage");
  const canvas = valuesCanvas(width, height, scale, caption);
  const text = element("figcaption", "", caption);
  figure.append(canvas, text);
  return { figure, canvas, caption: text };
}

function penaltyBars() {
  const figure = element("figure", "lenet-stage lenet-penalties");
  const box = element("div", "lenet-bars");
  const rows = Array.from({ length: 10 }, (_, c) => {
    const row = element("div", "lenet-bar-row");
    const bar = element("span", "lenet-bar");
    const value = element("span", "lenet-bar-value");
    row.append(element("span", "lenet-bar-label", String(c)), bar, value);
    box.append(row);
    return { row, bar, value };
  });
  figure.append(box, element("figcaption", "", "output: the ten penalties (smallest wins)"));
  return { figure, rows };
}

// Values -> colours: `lo`..`hi` onto the 256 entries of a colour table, as lenet_nb.widgets
// quantises the explorer's maps.
function paintValues(canvas, values, offset, lo, hi, table) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let p = 0; p < canvas.width * canvas.height; p++) {
    const scaled = Math.round(((values[offset + p] - lo) / (hi - lo)) * 255);
    const code = Math.max(0, Math.min(255, scaled));
    image.data.set(table.subarray(3 * code, 3 * code + 3), 4 * p);
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
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
  showLayers(view.layers, data, view.tables, result.acts, net, result.best);
  const penalties = result.acts.output;
  view.root.dataset.penalties = Array.from(penalties).join(",");
}
