// The training digits as static/lenet5_training.js (lenet_nb.book.widgets.training_data) holds
// them: per set, its count, its 28x28 grey levels (uint8) compressed with zlib and base64-encoded,
// and its labels (uint8, base64). Decompressed by the browser's own DecompressionStream.

export const TRAINING_FORMAT = "lenet5-training/1";

function bytes(base64) {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

async function inflate(base64) {
  const stream = new Blob([bytes(base64)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function decodeSet(set, name) {
  const pixels = await inflate(set.pixels);
  const labels = bytes(set.labels);
  if (labels.length !== set.count || pixels.length !== set.count * 784) {
    throw new Error(`training digits: the ${name} set holds ${pixels.length} bytes and ` +
      `${labels.length} labels, not ${set.count} digits`);
  }
  return { count: set.count, pixels, labels };
}

// The payload -> {train, test}, each {count, pixels (count x 784), labels}.
export async function decodeTraining(payload) {
  if (!payload || payload.format !== TRAINING_FORMAT) {
    throw new Error(`training digits: format ${payload && payload.format}, expected ` +
      `${TRAINING_FORMAT}; regenerate static/lenet5_training.js (python -m lenet_nb export-training)`);
  }
  return { train: await decodeSet(payload.train, "training"), test: await decodeSet(payload.test, "test") };
}
