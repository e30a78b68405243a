// Training LeNet-5 in the page as lenet_nb/training/train.py trains it: from the authors'
// initialisation, the training digits in one constant random order, and before every pass the
// curvature re-estimated on 500 of them and eta taken from the schedule; then one update per
// batch of `batchSize` patterns, the MAP loss (Eq. 9) summed over the batch, each parameter
// moved by its SDLM step (sdlm.js). A pass is one over the digits given: with 10,000 of them
// this is `python -m lenet_nb train --train-size 10000` (and --batch-size 1 --eta-scale 1
// --schedule authors for per-pattern updates at the authors' eta), the schedule running by passes
// over the subset.
//
// Settings, sent from Python (lenet_nb.book.widgets.training): {seed, batchSize, etaScale,
// schedule, mu, j, curvaturePatterns, coefficient, prototypes, c3Table}.

import { digitLoader } from "./digits.js";
import { authorsInitialisation, generator, permutation } from "./initialisation.js";
import { mapLoss } from "./loss.js";
import { backward, forward, PARAMETER_COUNT, viewsOf, workspace } from "./network.js";
import { decide } from "../lenet5.js";
import { gaussNewtonDiagonal, learningRate, stepSizes, update } from "./sdlm.js";

export class Trainer {
  // data: {train, test}, each {count, pixels (count x 784 uint8), labels (uint8)}.
  constructor(settings, data) {
    this.settings = settings;
    this.data = data;
    this.random = generator(settings.seed);
    this.net = authorsInitialisation(settings.c3Table, settings.prototypes.flat(),
      settings.coefficient, this.random);
    this.order = permutation(data.train.count, this.random); // the constant random order
    this.loadTrain = digitLoader(data.train);
    this.loadTest = digitLoader(data.test);
    this.ws = workspace();
    this.gradient = new Float64Array(PARAMETER_COUNT);
    this.gradientViews = viewsOf(this.gradient).layers;
    this.outputGradient = new Float64Array(10);
    this.eps = new Float64Array(PARAMETER_COUNT);
    this.pass = 0; // passes completed
    this.position = 0; // patterns of the current pass trained
    this.patterns = 0; // patterns trained in all
    this.wrong = 0; // training patterns misclassified (before their update) since `resetCount`
    this.seen = 0;
  }

  get eta() {
    return learningRate(this.settings.schedule, this.pass) * this.settings.etaScale;
  }

  // The curvature on `curvaturePatterns` training digits drawn at random, and the steps of the
  // pass about to start (train_one_pass).
  startPass() {
    const sample = permutation(this.data.train.count, this.random);
    this.curvatureIndices = sample.subarray(0, this.settings.curvaturePatterns);
    this.h = gaussNewtonDiagonal(this.net, this.ws, this.curvatureIndices, this.loadTrain);
    stepSizes(this.h, this.eta, this.settings.mu, this.eps);
  }

  // Train on up to `n` more patterns, whole batches only (a batch never spans two passes);
  // returns how many were trained.
  train(n) {
    let done = 0;
    while (done < n) {
      if (this.position === 0) this.startPass();
      const size = Math.min(this.settings.batchSize, this.data.train.count - this.position);
      this.step(this.order.subarray(this.position, this.position + size));
      done += size;
      this.position += size;
      if (this.position === this.data.train.count) {
        this.pass += 1;
        this.position = 0;
      }
    }
    this.patterns += done;
    return done;
  }

  // One update: the gradient of the loss summed over the patterns `batch`, then SDLM's step.
  step(batch) {
    const { ws, gradient, outputGradient } = this;
    gradient.fill(0);
    for (const index of batch) {
      this.loadTrain(index, ws.acts.input);
      const penalties = forward(this.net, ws);
      const label = this.data.train.labels[index];
      this.wrong += decide(penalties) === label ? 0 : 1;
      this.seen += 1;
      mapLoss(penalties, label, this.settings.j, outputGradient);
      backward(this.net, ws, outputGradient, this.gradientViews);
    }
    update(this.net.params, this.eps, gradient);
  }

  // The share of training patterns misclassified since the last call, each read just before
  // its update: the training error as it goes, at no extra cost.
  recentTrainingError() {
    const error = this.seen ? this.wrong / this.seen : null;
    this.wrong = this.seen = 0;
    return error;
  }

  // The share of the test digits the network gets wrong now.
  testError() {
    let wrong = 0;
    for (let i = 0; i < this.data.test.count; i++) {
      this.loadTest(i, this.ws.acts.input);
      wrong += decide(forward(this.net, this.ws)) === this.data.test.labels[i] ? 0 : 1;
    }
    return wrong / this.data.test.count;
  }
}
