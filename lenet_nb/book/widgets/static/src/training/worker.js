// The web worker that trains (training_widget.js starts it from a Blob URL of this file's bundle,
// which scripts/build_front_end.mjs builds and inlines, so that it runs from file:// too). The
// page stays responsive: training runs here in slices of about SLICE_MS, between which the
// worker reads the page's messages.
//
// From the page: {kind: "start", settings, payload, reportEvery, testEvery} (payload: the
// training digits, decoded once and kept across resets), "pause", "resume", "reset", "weights?".
// To the page: {kind: "progress", ...} after every `reportEvery` patterns, {kind: "steps", ...}
// when a pass's curvature is estimated, {kind: "weights", params}, {kind: "error", message}.

import { decodeTraining } from "./data.js";
import { layerRanges } from "./network.js";
import { Trainer } from "./trainer.js";

const SLICE_MS = 40;
let data = null; // the decoded digits
let job = null; // {trainer, options, running, ...}
const wake = new MessageChannel(); // a zero-delay yield between slices (setTimeout clamps)
let scheduled = false; // one slice waiting at most, however the page's messages interleave
wake.port1.onmessage = () => {
  scheduled = false;
  slice();
};

function schedule() {
  if (scheduled) return;
  scheduled = true;
  wake.port2.postMessage(null);
}

self.onmessage = ({ data: message }) => {
  handle(message).catch((err) => self.postMessage({ kind: "error", message: err.message }));
};

async function handle(message) {
  if (message.kind === "start") {
    data = data || await decodeTraining(message.payload);
    job = { trainer: new Trainer(message.settings, data), options: message, running: true,
            trainMs: 0, lastPass: -1, nextReport: 0, nextTest: 0 };
    report(job);
    schedule();
  } else if (message.kind === "pause" && job) {
    job.running = false;
  } else if (message.kind === "resume" && job && !job.running) {
    job.running = true;
    schedule();
  } else if (message.kind === "reset") {
    job = null;
  } else if (message.kind === "weights?" && job) {
    self.postMessage({ kind: "weights", params: job.trainer.net.params.slice(),
                       patterns: job.trainer.patterns });
  }
}

// Train for about SLICE_MS, to the next report at most; report; yield.
function slice() {
  if (!job || !job.running) return;
  const { trainer } = job;
  const started = performance.now();
  while (trainer.patterns < job.nextReport && performance.now() - started < SLICE_MS) {
    trainer.train(1); // one batch
    // A pass has started: its curvature is new.
    if (trainer.position > 0 && trainer.pass !== job.lastPass) sendSteps(job);
  }
  job.trainMs += performance.now() - started;
  if (trainer.patterns >= job.nextReport) report(job);
  schedule();
}

// What the curvature estimate of the pass now running gives: every parameter's step, by layer.
function sendSteps(job) {
  const { trainer } = job;
  job.lastPass = trainer.pass;
  self.postMessage({ kind: "steps", pass: trainer.pass, eta: trainer.eta,
                     eps: Float32Array.from(trainer.eps),
                     ranges: layerRanges() });
}

function report(job) {
  const { trainer, options } = job;
  const test = trainer.patterns >= job.nextTest;
  if (test) job.nextTest += options.testEvery;
  job.nextReport += options.reportEvery;
  self.postMessage({
    kind: "progress",
    patterns: trainer.patterns,
    pass: trainer.pass,
    trainError: trainer.recentTrainingError(),
    testError: test ? trainer.testError() : null,
    patternsPerSecond: job.trainMs > 0 ? trainer.patterns / (job.trainMs / 1000) : null,
    C1: Float32Array.from(trainer.net.C1.weight),
    C3: Float32Array.from(trainer.net.C3.weight),
  });
}
