// "Watch it learn" (TrainingWidget, lenet_nb/book/widgets/training.py): SDLM trains LeNet-5 in a
// web worker (training/worker.js) on the book's 10,000 training digits, loaded when the reader
// presses start; the page shows the error as it goes, the C1 kernels and one C3 map's, and every
// layer's step sizes eta / (mu + h), re-estimated before each pass. "Use this network" keeps the
// weights in the browser for the drawing pad (reader_network.js).

import WORKER_SOURCE from "./training/worker.js?worker";
import { button, element, mapCanvas, statusLine } from "./dom.js";
import { colourTables, paintValues } from "./paint.js";
import { keepNetwork } from "./reader_network.js";
import { createNetwork, PARAMETERS } from "./training/network.js";
import { drawErrorPlot, drawSteps, SERIES, stepSummary, themeColours } from "./training_plots.js";
import { trainingDataFor } from "./weights.js";

const KERNEL_SCALE = 8; // screen pixels per kernel weight

export function renderTrainer(model, el) {
  const data = model.get("data");
  const view = trainerView(data);
  el.append(view.root);
  const state = { worker: null, phase: "idle", points: [], firstSteps: null, steps: null,
                  weights: null };
  const control = (phase) => setPhase(view, state, phase);

  view.start.addEventListener("click", () => startTraining(model, data, view, state));
  view.pause.addEventListener("click", () => {
    const pausing = state.phase === "running";
    state.worker.postMessage({ kind: pausing ? "pause" : "resume" });
    control(pausing ? "paused" : "running");
  });
  view.reset.addEventListener("click", () => {
    if (state.worker) state.worker.postMessage({ kind: "reset" });
    Object.assign(state, { points: [], firstSteps: null, steps: null, weights: null });
    view.status.textContent = "reset: press start to train a fresh network";
    control("idle");
    redraw(view, data, state);
  });
  view.use.addEventListener("click", () => state.worker.postMessage({ kind: "weights?" }));
  view.c3map.addEventListener("change", () => drawKernels(view, data, state));
  control("idle");
  redraw(view, data, state);
  // The pictures take the theme's colours: redraw when the reader switches light and dark.
  new MutationObserver(() => redraw(view, data, state))
    .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
}

function setPhase(view, state, phase) {
  state.phase = phase;
  view.root.dataset.phase = phase;
  const started = phase === "running" || phase === "paused";
  view.start.disabled = phase !== "idle";
  view.pause.disabled = !started;
  view.pause.textContent = phase === "paused" ? "resume" : "pause";
  view.pause.setAttribute("aria-label", phase === "paused" ? "resume training" : "pause training");
  view.use.disabled = !started;
  view.seed.disabled = view.mode.disabled = phase !== "idle";
}

function startTraining(model, data, view, state) {
  const seed = Number(view.seed.value);
  if (!Number.isInteger(seed) || seed < 0) {
    view.status.textContent = "the seed must be a whole number, 0 or more";
    return;
  }
  setPhase(view, state, "loading");
  view.status.textContent = "loading the training digits…";
  trainingDataFor(model).then((payload) => {
    if (state.phase !== "loading") return; // reset while loading
    state.worker = state.worker || startWorker(view, data, state);
    const settings = { ...data.settings[view.mode.value], seed };
    state.mode = view.mode.value;
    state.seed = seed;
    state.worker.postMessage({ kind: "start", settings, payload, reportEvery: data.report_every,
                               testEvery: data.test_every });
    setPhase(view, state, "running");
    view.status.textContent = "estimating the curvature on 500 digits…";
  }, (err) => {
    view.status.textContent = err.message;
    setPhase(view, state, "idle");
  });
}

function startWorker(view, data, state) {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  worker.onmessage = ({ data: message }) => {
    if (state.phase === "idle") return; // a message from before a reset
    if (message.kind === "progress") showProgress(view, data, state, message);
    else if (message.kind === "steps") showSteps(view, data, state, message);
    else if (message.kind === "weights") useNetwork(view, data, state, message);
    else if (message.kind === "error") view.status.textContent = `training failed: ${message.message}`;
  };
  worker.onerror = (event) => {
    view.status.textContent = `training failed: ${event.message}`;
  };
  return worker;
}

function showProgress(view, data, state, message) {
  state.points.push({ patterns: message.patterns, trainError: message.trainError,
                      testError: message.testError });
  state.weights = { C1: message.C1, C3: message.C3 };
  const last = [...state.points].reverse();
  const test = last.find((p) => p.testError !== null);
  const train = last.find((p) => p.trainError !== null);
  const rate = message.patternsPerSecond;
  // For tests and the benchmark: where training is.
  Object.assign(view.root.dataset, { patterns: message.patterns, pass: message.pass,
                                     rate: rate || "" });
  if (test) Object.assign(view.root.dataset, { testError: test.testError, testAt: test.patterns });
  view.status.textContent = `pass ${message.pass + 1}, ${message.patterns.toLocaleString("en")} ` +
    "patterns" + (train ? `; training error ${percent(train.trainError)}` : "") +
    (test ? `, test error ${percent(test.testError)}` : "") +
    (rate ? `; ${Math.round(rate)} patterns/s` : "");
  redraw(view, data, state);
}

function showSteps(view, data, state, message) {
  state.steps = message;
  state.firstSteps = state.firstSteps || stepSummary(message.eps, message.ranges);
  redraw(view, data, state);
}

function useNetwork(view, data, state, message) {
  const settings = data.settings[state.mode];
  const net = createNetwork(settings.c3Table, settings.prototypes.flat(), message.params);
  const kept = keepNetwork(net, { patterns: message.patterns, mode: state.mode, seed: state.seed });
  view.kept.textContent = kept
    ? `kept in this browser (after ${message.patterns.toLocaleString("en")} patterns): the ` +
      "drawing pad of \"Your own digits\" offers it as \"yours\""
    : "this browser keeps nothing (a private window?): the network could not be kept";
  view.root.dataset.kept = String(kept);
}

function percent(error) {
  return `${(100 * error).toFixed(1)}%`;
}

// ---------------------------------------------------------------- drawing

function redraw(view, data, state) {
  const colours = themeColours(view.root);
  const until = Math.max(data.train_digits, ...state.points.map((p) => p.patterns));
  drawErrorPlot(view.plot, state.points, until, colours);
  const test = state.points.filter((p) => p.testError !== null).at(-1);
  view.plot.setAttribute("aria-label", "training and test error against patterns trained" +
    (test ? `: test error ${percent(test.testError)} after ${test.patterns} patterns` : ": none yet"));
  drawKernels(view, data, state);
  if (!state.steps) {
    view.steps.getContext("2d").clearRect(0, 0, view.steps.width, view.steps.height);
    view.steps.setAttribute("aria-label", "step sizes per layer: none yet");
    return;
  }
  const { eps, ranges, pass, eta } = state.steps;
  drawSteps(view.steps, eps, ranges, state.firstSteps, colours);
  const now = stepSummary(eps, ranges);
  view.steps.setAttribute("aria-label", `step sizes eta / (mu + h), pass ${pass + 1}, eta ` +
    `${eta.toExponential(2)}; median per layer: ` +
    Object.entries(now).map(([layer, s]) => `${layer} ${s.median.toExponential(1)}`).join(", "));
}

function drawKernels(view, data, state) {
  const table = view.tables[data.kernel_cmap];
  const c1 = state.weights ? state.weights.C1 : new Float32Array(150);
  const c3 = state.weights ? state.weights.C3 : new Float32Array(1500);
  paintKernels(view.c1, c1, 0, table);
  const map = Number(view.c3map.value);
  const rows = data.settings["8"].c3Table;
  const first = rows.slice(0, map).reduce((n, row) => n + row.length, 0);
  view.c3kernels.replaceChildren(...rows[map].map((input) =>
    mapCanvas(5, 5, KERNEL_SCALE, `kernel from S2 map ${input} to C3 map ${map}`)));
  paintKernels([...view.c3kernels.children], c3, first * 25, table);
}

// Each canvas one 5x5 kernel of `weights` (from `offset`), on one symmetric scale: the largest
// weight shown.
function paintKernels(canvases, weights, offset, table) {
  let largest = 1e-6;
  for (let k = offset; k < offset + 25 * canvases.length; k++) {
    largest = Math.max(largest, Math.abs(weights[k]));
  }
  canvases.forEach((canvas, i) => paintValues(canvas, weights, offset + 25 * i, -largest, largest,
                                              table));
}

// ---------------------------------------------------------------- the view

function labelled(text, control) {
  const label = element("label", "lenet-train-label", text + " ");
  label.append(control);
  return label;
}

function trainerView(data) {
  const root = element("div", "lenet-widget lenet-trainer");
  const start = button("lenet-train-button", "start", "start training");
  const pause = button("lenet-train-button", "pause");
  const reset = button("lenet-train-button", "reset", "reset to a fresh network");
  const use = button("lenet-train-button", "use this network", "use this network in the pad");
  const seed = element("input", "lenet-train-seed");
  Object.assign(seed, { type: "number", min: "0", step: "1", value: "0", inputMode: "numeric" });
  const mode = element("select", "lenet-train-mode");
  for (const [value, title] of data.modes) mode.append(Object.assign(element("option", "", title), { value }));
  const controls = element("div", "lenet-train-controls");
  controls.append(start, pause, reset, labelled("seed", seed), labelled("updates", mode), use);
  const status = statusLine();
  const kept = element("p", "lenet-train-kept");
  kept.setAttribute("aria-live", "polite");
  const plot = plotCanvas("lenet-train-plot", 560, 200);
  const legend = element("p", "lenet-train-legend");
  legend.append(swatch(SERIES.train), "training error (the patterns just trained, each read " +
    "before its update) ", swatch(SERIES.test),
    `test error (${data.test_digits.toLocaleString("en")} held-out digits)`);
  const kernels = element("div", "lenet-train-kernels");
  const c1 = Array.from({ length: 6 }, (_, i) => mapCanvas(5, 5, KERNEL_SCALE, `C1 kernel ${i}`));
  const c1figure = kernelFigure(c1, "the six C1 kernels");
  const c3map = element("select", "lenet-train-c3map");
  for (let m = 0; m < 16; m++) c3map.append(Object.assign(element("option", "", `map ${m}`), { value: m }));
  c3map.value = "15";
  const c3kernels = element("div", "lenet-train-kernel-row");
  const c3figure = element("figure", "lenet-stage");
  const c3caption = element("figcaption", "", "the kernels of C3 ");
  c3caption.append(labelled("", c3map));
  c3map.setAttribute("aria-label", "which C3 map's kernels to show");
  c3figure.append(c3kernels, c3caption);
  kernels.append(c1figure, c3figure);
  const steps = plotCanvas("lenet-train-steps", 560, 152);
  const stepsCaption = element("p", "lenet-train-legend", "step sizes eta / (mu + h) of every " +
    "parameter, by layer, log scale: darker where more parameters are; a bar marks each layer's " +
    "median now, a hollow box its median at the start");
  root.append(controls, status, kept, plot, legend, kernels, steps, stepsCaption);
  return { root, start, pause, reset, use, seed, mode, status, kept, plot, c1, c3map, c3kernels,
           steps, tables: colourTables(data) };
}

// A line of the plot's colour, for its legend (a picture, not text).
function swatch(colour) {
  const line = element("span", "lenet-train-swatch");
  line.style.background = colour;
  line.setAttribute("aria-hidden", "true");
  return line;
}

function kernelFigure(canvases, caption) {
  const figure = element("figure", "lenet-stage");
  const row = element("div", "lenet-train-kernel-row");
  row.append(...canvases);
  figure.append(row, element("figcaption", "", caption));
  return figure;
}

function plotCanvas(className, width, height) {
  const canvas = element("canvas", className);
  canvas.width = width;
  canvas.height = height;
  canvas.setAttribute("role", "img");
  return canvas;
}
