// The rejection rule, once for every widget that reads a digit: lenet_nb.reading.rejection.decide.
// The class is the smallest of the ten RBF penalties; it is given only when its margin, the
// second-smallest penalty minus the smallest, is at least the network's threshold (measured on
// the test set by `python -m lenet_nb rejection`, and sent in the widget's data); otherwise the
// answer is "not sure" (-1). tests/test_rejection_js.py holds it equal to decide.

import { decide, forward, preprocess } from "./lenet5.js";

const f32 = Math.fround;

// The smallest penalty's class (the first of equals, as argmin) and the class of the next.
export function twoSmallest(penalties) {
  const best = decide(penalties);
  let second = best === 0 ? 1 : 0;
  for (let i = 0; i < penalties.length; i++) {
    if (i !== best && penalties[i] < penalties[second]) second = i;
  }
  return [best, second];
}

// { best, margin, answer }: `answer` is `best`, or -1 when the margin is below `threshold`.
// PyTorch subtracts and compares in float32 (the penalties' type, the threshold cast to it), so
// a margin on the threshold itself is judged here as there.
export function judge(penalties, threshold) {
  const [best, second] = twoSmallest(penalties);
  const margin = f32(penalties[second] - penalties[best]);
  return { best, margin, answer: margin >= f32(threshold) ? best : -1 };
}

// A digit in MNIST's form (784 grey levels) read by `net`: its layers and the judgement.
export function read(net, pixels, threshold) {
  const acts = forward(net, preprocess(pixels));
  return { acts, ...judge(acts.output, threshold) };
}
