// The feature-map explorer (lenet_nb/book/widgets/explorer.py): every layer's maps for one of
// the stored test digits, or the reader's own, from the input to the penalties. Drawn from the
// widget's own data; a click only changes the `index` trait and redraws, so it works with no
// kernel (the built book) exactly as in Jupyter.

import { element, statusLine } from "./dom.js";
import { digitStrip } from "./digit_strip.js";
import { decodeLayers, paintMap } from "./maps.js";
import { onChanges, select } from "./model.js";
import { showPenalties } from "./penalty_bars.js";
import { followReaderDigit } from "./reader_digit.js";
import { INPUT, LAYERS, stagesView } from "./stages.js";

export function renderExplorer(model, el) {
  const data = model.get("data");
  const layers = decodeLayers(data);
  const root = element("div", "lenet-widget lenet-explorer");
  const pick = (d) => select(model, { index: d });
  const [strip, markDigit, showReader] = digitStrip(data, layers, pick);
  const status = statusLine();
  const view = stagesView([INPUT, ...LAYERS]);
  root.append(strip, status, view.element);
  el.append(root);

  function update() {
    const d = Math.max(0, Math.min(data.labels.length - 1, model.get("index")));
    markDigit(d);
    showDigit(view, layers, data, d);
    status.textContent = describe(data, d);
    root.dataset.index = d;
  }
  update();
  const stopFollowing = followReaderDigit(data, layers, (d, live) => {
    showReader(d);
    if (live) pick(d);
    update();
  });
  const stopListening = onChanges(model, ["index"], update);
  return () => {
    stopListening();
    stopFollowing();
  };
}

// Every stage of digit d, F6 beside the prototype of the predicted class, the penalties.
function showDigit(view, layers, data, d) {
  const predicted = data.predictions[d];
  for (const [name, canvases] of Object.entries(view.maps)) {
    canvases.forEach((canvas, m) => paintMap(canvas, layers[name], d, m));
  }
  paintMap(view.f6.f6, layers.F6, d, 0);
  paintMap(view.f6.prototype, layers.prototypes, predicted, 0);
  view.f6.showClass(predicted);
  showPenalties(view.bars, data.penalties[d], predicted, data.labels[d]);
}

function describe(data, d) {
  const label = data.labels[d];
  const predicted = data.predictions[d];
  if (label === null) return `your digit: predicted ${predicted}`;
  const wrong = predicted === label ? "" : " (wrong)";
  return `test digit ${data.numbers[d]}: label ${label}, predicted ${predicted}${wrong}`;
}
