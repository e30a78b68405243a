// The rejection rule, once for every widget that reads a digit: lenet_nb.reading.rejection.decide.
// The class is the smallest of the ten RBF penalties; it is given only when its margin, the
// second-smallest penalty minus the smallest, is at least the network's threshold (measured on
// the test set by `python -m lenet_nb rejection`, and sent in the widget's data); otherwise the
// answer is "not sure" (-1). tests/test_rejection_js.py holds it equal to decide.

import { activations } from "./family.js";
import { decide, marginOf } from "./lenet5.js";

// { best, margin, answer }: `answer` is `best`, or -1 when the margin is below `threshold`.
// PyTorch subtracts and compares in float32 (the penalties' type, the threshold cast to it), so
// a margin on the threshold itself is judged here as there. A network with no committed
// threshold (`threshold` null) is never "not sure": its answer is `best`, its margin shown.
export function judge(penalties, threshold) {
  const best = decide(penalties);
  const sure = marginOf(penalties);
  const answer = threshold === null || sure >= Math.fround(threshold) ? best : -1;
  return { best, margin: sure, answer };
}

// A digit in MNIST's form (784 grey levels) read by `net` (LeNet-5, or one of its family): its
// layers and the judgement.
export function read(net, pixels, threshold) {
  const acts = activations(net, pixels);
  return { acts, ...judge(acts.output, threshold) };
}
