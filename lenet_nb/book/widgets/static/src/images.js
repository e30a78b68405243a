// Images the pad reads: its own canvas, or a file the reader uploads, as grey levels the way the
// Python reads them (lenet_nb.digits.pixels): {grey, width, height}, row by row.

import { flattenAlpha } from "./normalise.js";

const UPLOAD_SIDE = 512; // an uploaded image is read at most this large (bounded work)

// ITU-R BT.601 luma of pixel i's RGB, as PIL's convert("L").
function luma(rgba, i) {
  return 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
}

function greyOf(ctx, width, height) {
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const grey = new Float32Array(width * height);
  const alpha = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = luma(rgba, i);
    alpha[i] = rgba[4 * i + 3];
  }
  return { grey, alpha };
}

// The pad's drawing (opaque: no transparency to flatten).
export function canvasGrey(canvas) {
  const { grey } = greyOf(canvas.getContext("2d"), canvas.width, canvas.height);
  return { grey, width: canvas.width, height: canvas.height };
}

// An image file: decoded by the browser, drawn at most UPLOAD_SIDE pixels on its longer side,
// colour to luma, transparency over a background (normalise.js's flattenAlpha).
export async function readImageFile(file) {
  const bitmap = await decode(file);
  const scale = Math.min(1, UPLOAD_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const { ctx } = offscreen(width, height);
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const { grey, alpha } = greyOf(ctx, width, height);
  return { grey: flattenAlpha(grey, alpha), width, height };
}

// The file as a bitmap, or an Error that says why not.
async function decode(file) {
  if (!file.type.startsWith("image/")) {
    throw new Error(`${file.name} is not an image (type ${file.type || "unknown"}): ` +
      "choose a PNG, JPEG, GIF or WebP file");
  }
  try {
    return await createImageBitmap(file);
  } catch (err) {
    throw new Error(`${file.name} could not be read as an image: the file is damaged or in a ` +
      "format this browser cannot decode");
  }
}

// Grey levels as a canvas of their own, to draw scaled.
export function greyCanvas({ grey, width, height }) {
  const { canvas, ctx } = offscreen(width, height);
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < grey.length; i++) {
    image.data.fill(Math.round(grey[i]), 4 * i, 4 * i + 3);
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

// A canvas that is never shown, to draw on and read back.
function offscreen(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return { canvas, ctx: canvas.getContext("2d") };
}
