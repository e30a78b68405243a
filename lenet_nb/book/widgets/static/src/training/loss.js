// The MAP criterion of Eq. 9 on the ten RBF penalties of one pattern, and its gradient
// (lenet_nb/training/losses.py, map_criterion; Section II-C):
//   E = y_D + log(e^-j + sum_i e^-y_i),   dE/dy_i = [i = D] - e^-y_i / (e^-j + sum_k e^-y_k).
// The competition term pulls up the wrong classes' penalties; e^-j keeps penalties already larger
// than about j from being pushed further.

// E for `penalties` and the correct class `target`; writes dE/dy into `gradient`. Computed as a
// log-sum-exp shifted by its largest exponent, as torch.logsumexp does, so that nothing overflows.
export function mapLoss(penalties, target, j, gradient) {
  let top = -j;
  for (let i = 0; i < penalties.length; i++) top = Math.max(top, -penalties[i]);
  let total = Math.exp(-j - top);
  for (let i = 0; i < penalties.length; i++) total += Math.exp(-penalties[i] - top);
  for (let i = 0; i < penalties.length; i++) {
    gradient[i] = (i === target ? 1 : 0) - Math.exp(-penalties[i] - top) / total;
  }
  return penalties[target] + top + Math.log(total);
}
