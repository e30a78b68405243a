// The pieces every widget's view is made of. Accessibility: every control is a native <button>,
// <select> or <input> with a name, every map a canvas with role "img" and a label, and the
// status lines are live regions.

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(className, text, label) {
  const node = element("button", className, text);
  node.type = "button";
  if (label) node.setAttribute("aria-label", label);
  return node;
}

// A canvas of `width` x `height` values, `scale` screen pixels per value, announced as a picture
// named `label`.
export function mapCanvas(width, height, scale, label, className) {
  const canvas = element("canvas", "lenet-map" + (className ? " " + className : ""));
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = width * scale + "px";
  canvas.style.height = height * scale + "px";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  return canvas;
}

// One captioned picture: { figure, canvas, caption }.
export function figureOf(width, height, scale, caption) {
  const figure = element("figure", "lenet-stage");
  const canvas = mapCanvas(width, height, scale, caption);
  const text = element("figcaption", "", caption);
  figure.append(canvas, text);
  return { figure, canvas, caption: text };
}

// A live region: screen readers read its new text after each change.
export function statusLine() {
  const status = element("div", "lenet-status");
  status.setAttribute("role", "status");
  return status;
}

// A <select> of the networks, [[name, title], ...] as lenet_nb.book.widgets.network lists them.
export function networkSelect(className, networks) {
  const select = element("select", className);
  for (const [name, title] of networks) {
    const option = element("option", "", title);
    option.value = name;
    select.append(option);
  }
  return select;
}
