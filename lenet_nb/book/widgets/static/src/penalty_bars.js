// The ten penalties as bars (the output layer, Eq. 7): one home for the explorer, the pad and
// the live panels, so that they draw the output alike.

import { element } from "./dom.js";

export function penaltyBars() {
  const figure = element("figure", "lenet-stage lenet-penalties");
  figure.dataset.layer = "output";
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

// Bars as long as each penalty relative to the largest (100 px); the winner marked, and the
// digit's label too when it has one (a test digit's, not the reader's).
export function showPenalties(bars, penalties, best, label = null) {
  const largest = Math.max(...penalties);
  bars.rows.forEach(({ row, bar, value }, c) => {
    bar.style.width = (100 * penalties[c]) / largest + "px";
    value.textContent = penalties[c].toFixed(1);
    row.classList.toggle("lenet-winner", c === best);
    row.classList.toggle("lenet-label", c === label);
  });
}
