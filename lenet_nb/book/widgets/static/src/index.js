// The widgets' front end, the entry that scripts/build_front_end.mjs bundles into the one ES
// module anywidget loads (static/bundle/lenet_widgets.js, with the styles in lenet_widgets.css).
// Every widget of the book shares it; the `_kind` trait says which one a view draws.

import "./lenet_widgets.css";
import "./live_widgets.css";
import "./training.css";
import { renderC3Table } from "./c3_table.js";
import { renderDigitPad } from "./digit_pad.js";
import { renderExplorer } from "./explorer.js";
import { renderStringPad } from "./string_pad.js";
import { renderTrainer } from "./training_widget.js";
import { renderDistortions, renderInvariance } from "./live_digits.js";

const RENDERERS = {
  explorer: renderExplorer,
  c3table: renderC3Table,
  digitpad: renderDigitPad,
  stringpad: renderStringPad,
  distortions: renderDistortions,
  invariance: renderInvariance,
  trainer: renderTrainer,
};

export default {
  render({ model, el }) {
    const kind = model.get("_kind");
    const render = RENDERERS[kind];
    if (render) return render(model, el);
    el.textContent = `unknown widget kind ${kind}`;
  },
};
