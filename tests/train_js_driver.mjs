// tests/test_train_js.py's driver: the page's Trainer (lenet_nb/book/widgets/static/src/training/)
// on the digits and settings of a JSON spec; prints its starting weights, the summed gradient of
// the first batch of its order, and after `steps` updates its first pass's curvature sample and
// estimate and its weights (float64 arrays as base64).
import { readFileSync } from "node:fs";
const [srcUrl, inputFile] = process.argv.slice(2);
const { Trainer } = await import(srcUrl + "training/trainer.js");
const { backward, forward, viewsOf } = await import(srcUrl + "training/network.js");
const { mapLoss } = await import(srcUrl + "training/loss.js");
const spec = JSON.parse(readFileSync(inputFile, "utf8"));
const bytes = (t) => Uint8Array.from(Buffer.from(t, "base64"));
const digits = (d) => ({ count: d.labels.length / 1, pixels: bytes(d.pixels), labels: Uint8Array.from(d.labels) });
const data = { train: digits(spec.train), test: digits(spec.test) };
const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const trainer = new Trainer(spec.settings, data);
if (spec.start) trainer.net.params.set(new Float64Array(Uint8Array.from(Buffer.from(spec.start, "base64")).buffer));
const out = { initial: b64(trainer.net.params.slice()), order: Array.from(trainer.order) };
// The gradient of the loss summed over the first batch of the order, before any update.
const gradient = new Float64Array(trainer.net.params.length);
const views = viewsOf(gradient).layers;
const batch = Array.from(trainer.order.subarray(0, spec.gradientBatch));
let loss = 0;
for (const index of batch) {
  trainer.loadTrain(index, trainer.ws.acts.input);
  const y = forward(trainer.net, trainer.ws);
  loss += mapLoss(y, data.train.labels[index], spec.settings.j, trainer.outputGradient);
  backward(trainer.net, trainer.ws, trainer.outputGradient, views);
}
out.gradient = b64(gradient);
out.loss = loss;
out.gradientBatch = batch;
if (spec.steps > 0) {
  trainer.train(spec.steps * spec.settings.batchSize);
  out.curvatureIndices = Array.from(trainer.curvatureIndices);
  out.h = b64(trainer.h);
  out.final = b64(trainer.net.params);
  out.eta = trainer.eta;
}
console.log(JSON.stringify(out));
