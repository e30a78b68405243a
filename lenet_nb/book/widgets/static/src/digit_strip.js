// A row of clickable digit thumbnails (the explorer's and the C3 table's), the reader's own digit
// after the stored ones once there is one.

import { button, element } from "./dom.js";
import { layerCanvas, paintMap } from "./maps.js";

const THUMB_SCALE = 1.125;

function thumb(d, label, canvasLabel, input, onPick, className = "lenet-thumb") {
  const node = button(className, undefined, label);
  node.dataset.digit = d;
  node.append(layerCanvas(input, THUMB_SCALE, canvasLabel));
  node.addEventListener("click", () => onPick(d));
  return node;
}

// [strip, mark(d): marks digit d selected, showReader(d): adds or repaints the reader's digit d].
export function digitStrip(data, layers, onPick) {
  const strip = element("div", "lenet-strip");
  strip.setAttribute("role", "group");
  strip.setAttribute("aria-label", "digits");
  const thumbs = data.labels.map((label, d) => {
    const name = `test digit ${data.numbers[d]}`;
    const node = thumb(d, `show ${name} (label ${label})`, name, layers.input, onPick);
    node.title = `${name} (label ${label})`;
    paintMap(node.firstChild, layers.input, d, 0);
    return node;
  });
  strip.append(...thumbs);
  const mark = (d) => thumbs.forEach((b, i) => {
    b.classList.toggle("lenet-selected", i === d);
    b.setAttribute("aria-pressed", String(i === d));
  });
  const showReader = (d) => {
    if (!thumbs[d]) {
      thumbs[d] = thumb(d, "show your own digit (drawn or uploaded above)", "your digit",
                        layers.input, onPick, "lenet-thumb lenet-thumb-reader");
      strip.append(thumbs[d]);
    }
    paintMap(thumbs[d].firstChild, layers.input, d, 0);
  };
  return [strip, mark, showReader];
}
