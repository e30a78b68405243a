// Stochastic diagonal Levenberg-Marquardt (Section III-B, Appendix C; lenet_nb/training/sdlm.py):
// each parameter w_k moves by its own step eps_k = eta / (mu + h_kk) times its gradient, h_kk the
// Gauss-Newton estimate of d2E/dw_k^2, averaged over 500 training patterns before each pass and
// held fixed during it. Curvature, computed from the network's own structure, not a running
// average of squared gradients.

import { addCurvature, forward, PARAMETER_COUNT, squaredWeights, viewsOf } from "./network.js";

// eta for pass `passIndex` (0-based) of `schedule`; passes beyond it keep its last value.
export function learningRate(schedule, passIndex) {
  return schedule[Math.min(passIndex, schedule.length - 1)];
}

// h_kk for every parameter (flat, PARAMETER_COUNT long), averaged over the patterns `indices`;
// `load(index, input)` writes pattern `index`'s 32x32 input (sdlm.gauss_newton_diagonal).
export function gaussNewtonDiagonal(net, ws, indices, load) {
  const h = new Float64Array(PARAMETER_COUNT);
  const views = viewsOf(h).layers;
  const squared = squaredWeights(net);
  for (const index of indices) {
    load(index, ws.acts.input);
    forward(net, ws);
    addCurvature(net, squared, ws, views);
  }
  for (let k = 0; k < h.length; k++) h[k] /= indices.length;
  return h;
}

// eps_k = eta / (mu + h_kk), into `eps` (SDLM.step_sizes).
export function stepSizes(h, eta, mu, eps = new Float64Array(h.length)) {
  for (let k = 0; k < h.length; k++) eps[k] = eta / (mu + h[k]);
  return eps;
}

// w_k <- w_k - eps_k dE/dw_k, the gradient summed over the update's patterns (SDLM.step).
export function update(params, eps, gradient) {
  for (let k = 0; k < params.length; k++) params[k] -= eps[k] * gradient[k];
}
