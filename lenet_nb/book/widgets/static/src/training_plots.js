// The pictures of the training widget (training_widget.js), drawn on canvases in the theme's
// colours: the error as training goes, and every layer's SDLM step sizes on a log scale.

import { TRAINABLE } from "./training/network.js";

export const SERIES = { train: "#2f7fc1", test: "#e8710a" }; // readable on light and dark panels
const FONT = "12px system-ui, sans-serif";
const ERROR_RANGE = [0.005, 1]; // the plot's error axis, log scale: 0.5% to 100%
export const STEP_RANGE = [1e-8, 1e-1]; // the step strips' axis, log scale

// The theme's text colour and muted colour, from the widget's CSS variables.
export function themeColours(root) {
  const style = getComputedStyle(root);
  return { text: style.color, muted: style.getPropertyValue("--lenet-muted").trim() || style.color,
           border: style.getPropertyValue("--lenet-border").trim() || "rgba(128,128,128,0.6)" };
}

function context(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = FONT;
  return ctx;
}

function logPosition(value, [lo, hi], length) {
  const v = Math.min(Math.max(value, lo), hi);
  return (Math.log(v / lo) / Math.log(hi / lo)) * length;
}

// points: [{patterns, trainError, testError}] (either error may be null); `until`: the last
// pattern count the x axis must reach.
export function drawErrorPlot(canvas, points, until, colours) {
  const ctx = context(canvas);
  const box = { left: 44, right: canvas.width - 24, top: 8, bottom: canvas.height - 24 };
  const width = box.right - box.left;
  const height = box.bottom - box.top;
  const xAt = (patterns) => box.left + (patterns / until) * width;
  const yAt = (error) => box.bottom - logPosition(error, ERROR_RANGE, height);
  ctx.strokeStyle = colours.border;
  ctx.fillStyle = colours.muted;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const error of [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]) {
    const y = Math.round(yAt(error)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(box.left, y);
    ctx.lineTo(box.right, y);
    ctx.stroke();
    ctx.fillText(`${error * 100}%`, box.left - 4, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const tick = until > 20000 ? 5000 : until > 5000 ? 2000 : 1000;
  for (let p = 0; p <= until; p += tick) ctx.fillText(p.toLocaleString("en"), xAt(p), box.bottom + 5);
  for (const [key, series] of [["trainError", "train"], ["testError", "test"]]) {
    ctx.strokeStyle = SERIES[series];
    ctx.lineWidth = 2;
    ctx.beginPath();
    let started = false;
    for (const point of points) {
      if (point[key] === null) continue;
      const [x, y] = [xAt(point.patterns), yAt(Math.max(point[key], ERROR_RANGE[0]))];
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
    ctx.lineWidth = 1;
  }
}

// Per layer, the steps of its parameters: the median and the range [min, max].
export function stepSummary(eps, ranges) {
  const summary = {};
  for (const layer of TRAINABLE) {
    const [start, end] = ranges[layer];
    const values = Float64Array.from(eps.subarray(start, end)).sort();
    summary[layer] = { min: values[0], median: values[values.length >> 1],
                       max: values[values.length - 1], count: values.length };
  }
  return summary;
}

// One strip per layer: the share of its parameters at each step size (darker: more), on a log
// axis from STEP_RANGE[0] to STEP_RANGE[1]; a bar marks the median now, a hollow box the median of
// the first estimate (`first`).
export function drawSteps(canvas, eps, ranges, first, colours) {
  const ctx = context(canvas);
  const left = 30;
  const right = canvas.width - 18;
  const row = 20;
  const bins = right - left;
  const x = (value) => left + logPosition(value, STEP_RANGE, bins);
  const now = stepSummary(eps, ranges);
  TRAINABLE.forEach((layer, i) => {
    const top = 4 + i * row;
    const [start, end] = ranges[layer];
    const counts = new Float64Array(bins);
    for (let k = start; k < end; k++) counts[Math.min(bins - 1, Math.floor(x(eps[k]) - left))] += 1;
    const most = Math.max(...counts);
    ctx.fillStyle = SERIES.train;
    for (let b = 0; b < bins; b++) {
      if (counts[b] === 0) continue;
      ctx.globalAlpha = 0.25 + 0.75 * Math.sqrt(counts[b] / most);
      ctx.fillRect(left + b, top + 2, 1, row - 6);
    }
    ctx.globalAlpha = 1;
    ctx.fillStyle = colours.text;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(layer, 0, top + row / 2 - 1);
    ctx.fillStyle = colours.text;
    ctx.fillRect(Math.round(x(now[layer].median)) - 1, top, 3, row - 2);
    if (first) {
      ctx.strokeStyle = SERIES.test;
      ctx.lineWidth = 2;
      ctx.strokeRect(Math.round(x(first[layer].median)) - 3, top + 1, 6, row - 4);
      ctx.lineWidth = 1;
    }
  });
  const axis = 4 + TRAINABLE.length * row + 4;
  ctx.fillStyle = colours.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let e = Math.log10(STEP_RANGE[0]); e <= Math.log10(STEP_RANGE[1]); e++) {
    ctx.fillText(`1e${e}`, x(10 ** e), axis);
  }
}
