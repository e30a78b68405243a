// The drawing pads' shared code: a canvas the reader draws on with a mouse, a finger or a pen
// (pointer events), with clear, undo and the upload of an image file. The digit pad (digit_pad.js,
// square) and the string pad (string_pad.js, wide) both keep their drawing in one `state`:
//   { strokes: [[[x, y], ...], ...] in canvas pixels, upload: {grey, width, height} or null }
// and redraw it with drawPad. Drawing starts over an uploaded image's place: a new stroke
// removes the upload, as clear does; undo removes the last stroke, then the upload.

import { button, element } from "./dom.js";
import { greyCanvas, readImageFile } from "./images.js";

// The canvas, announced as a drawing area named `label`.
export function padCanvas(className, width, height, label) {
  const pad = element("canvas", className);
  pad.width = width;
  pad.height = height;
  pad.setAttribute("role", "img");
  pad.setAttribute("aria-label", label);
  return pad;
}

// White paper, the upload fitted and centred on it, then the strokes in black, `penWidth` wide.
export function drawPad(pad, state, penWidth) {
  const ctx = pad.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
  if (state.upload) drawFitted(ctx, state.upload, pad.width, pad.height);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = penWidth;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const stroke of state.strokes) {
    ctx.beginPath();
    ctx.moveTo(...stroke[0]);
    for (const point of stroke) ctx.lineTo(...point);
    ctx.stroke();
  }
}

// An image shown on the pad: scaled to fit, centred.
function drawFitted(ctx, image, width, height) {
  const scale = Math.min(width / image.width, height / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  ctx.drawImage(greyCanvas(image), (width - w) / 2, (height - h) / 2, w, h);
}

// Strokes from mouse, touch or pen alike (pointer events), in canvas pixels.
export function listenForStrokes(pad, state, changed) {
  const at = (event) => {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * (pad.width / box.width),
      (event.clientY - box.top) * (pad.height / box.height)];
  };
  let drawing = false;
  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    drawing = true;
    state.upload = null; // drawing starts a new drawing
    state.strokes.push([at(event)]);
    changed();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    event.preventDefault();
    state.strokes[state.strokes.length - 1].push(at(event));
    changed();
  });
  const stop = () => {
    drawing = false;
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
}

// The clear and undo buttons and the upload field, with `className` prefix ("lenet-pad"):
// { clear, undo, file, upload (the file's label) }.
export function drawingControls(className, what) {
  const clear = button(`${className}-button`, "clear", "clear the drawing");
  const undo = button(`${className}-button`, "undo", "undo the last stroke");
  const file = element("input", `${className}-file`);
  file.type = "file";
  file.accept = "image/*";
  const upload = element("label", `${className}-upload`, `upload an image${what} `);
  upload.append(file);
  return { clear, undo, file, upload };
}

// Clear, undo and upload; each ends with `changed()`; a file that cannot be read is said in
// `message`.
export function listenForControls({ clear, undo, file, message }, state, changed) {
  clear.addEventListener("click", () => {
    state.strokes = [];
    state.upload = null;
    changed();
  });
  undo.addEventListener("click", () => {
    if (state.strokes.length) state.strokes.pop();
    else state.upload = null;
    changed();
  });
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = ""; // the same file again is a new choice
    if (!chosen) return;
    try {
      state.upload = await readImageFile(chosen);
      state.strokes = [];
      changed();
    } catch (err) {
      message.textContent = err.message;
    }
  });
}

// Run `work` at most once per frame, however fast the pointer moves.
export function oncePerFrame(state, work) {
  if (state.pending) return;
  state.pending = true;
  requestAnimationFrame(() => {
    state.pending = false;
    work();
  });
}
