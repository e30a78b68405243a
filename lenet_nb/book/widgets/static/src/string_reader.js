// Reading a string of digits without segmenting it (Section VII-A), in the reader's browser: the
// twin of lenet_nb/reading/strings.py. The SDNN's penalties (sdnn.js) at each position become
// arcs, one per class; the character model says which label sequences are words:
//
// - a position is either the blank class (10: no character centred there) or one digit;
// - consecutive outputs of one digit are one detection, read once ("3 3" reads "3"; two 3s need a
//   blank between them);
// - a detection of one digit may not follow another's directly, without a blank output between
//   them, unless the path pays grammar.switch;
// - a position may read as nothing (blank) for at most grammar.nothing: a weak detection,
//   costlier than that, is no detection.
//
// The grammar's two numbers are Python's (lenet_nb.reading.strings.SWITCH_PENALTY and
// NOTHING_PENALTY), carried by the SDNN's payload (lenet_nb.book.widgets.export.sdnn_payload) and
// so by the decoded network (weights.js's decodeSdnn: net.grammar); there is no copy here.
// The Viterbi algorithm finds the path of least total penalty through that grammar, in float64
// and with NumPy's tie-breaking (argmin: the first minimum), so that it gives the Python's path.
//
//   const net = (await loadSdnnWeights()).sdnn;
//   const reading = readString(net, grey, width, height);   // a canvas's grey levels 0..255
//   reading.text                                            // e.g. "3141"

import { BLANK, penaltySequence } from "./sdnn.js";
import { isInk } from "./ink.js";
import { normaliseString } from "./normalise_string.js";

function checkGrammar(grammar) {
  if (!grammar || typeof grammar.switch !== "number" || typeof grammar.nothing !== "number") {
    throw new Error("the character model needs {switch, nothing} (the SDNN payload's grammar)");
  }
  return grammar;
}

// The first index of the smallest value (NumPy's argmin).
export function argmin(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] < values[best]) best = i;
  return best;
}

// viterbi: the label sequence of least total penalty the character model allows, one class per
// position; `penalties` is one array of classes (11) per position (class 10 blank); `grammar`:
// {switch, nothing} (net.grammar).
export function viterbi(penalties, grammar) {
  const { switch: switchPenalty, nothing } = checkGrammar(grammar);
  const positions = penalties.length;
  if (positions === 0) throw new Error("viterbi: no positions");
  const classes = penalties[0].length;
  // Reading a position as nothing costs at most `nothing` (Python's np.minimum, in float64).
  const cost = penalties.map((p) => {
    const row = Float64Array.from(p);
    row[BLANK] = Math.min(row[BLANK], nothing);
    return row;
  });
  // step(a, b): the price of moving from label a at one position to label b at the next.
  const step = (a, b) => (a === b || a === BLANK || b === BLANK ? 0 : switchPenalty);
  let total = Float64Array.from(cost[0]);
  const back = [null];
  const through = new Float64Array(classes);
  for (let t = 1; t < positions; t++) {
    const next = new Float64Array(classes);
    const from = new Int32Array(classes);
    for (let b = 0; b < classes; b++) {
      for (let a = 0; a < classes; a++) through[a] = total[a] + step(a, b);
      const a = argmin(through);
      from[b] = a;
      next[b] = through[a] + cost[t][b];
    }
    back.push(from);
    total = next;
  }
  const path = [argmin(total)];
  for (let t = positions - 1; t > 0; t--) path.push(back[t][path[path.length - 1]]);
  return path.reverse();
}

// transcribe: a path's digits, each run of one digit read once, blanks read as nothing.
export function transcribe(path) {
  let text = "";
  for (let i = 0; i < path.length; i++) {
    if ((i === 0 || path[i] !== path[i - 1]) && path[i] !== BLANK) text += String(path[i]);
  }
  return text;
}

// read_penalties: the best interpretation of one penalty sequence.
export function readPenalties(penalties, grammar) {
  return transcribe(viterbi(penalties, grammar));
}

// read_normalised: a 32 x width uint8 image already in the network's frame, read by `net` (the
// decoded SDNN) through its own grammar.
// { text, penalties (per position), winners (each position's smallest-penalty class, Fig. 26's
//   raw labels), path (the class the best interpretation assigns each position), pixels, width }.
export function readNormalised(net, pixels, width) {
  const penalties = penaltySequence(net, pixels, width);
  const path = viterbi(penalties, net.grammar);
  const text = pixels.some(isInk) ? transcribe(path) : ""; // no ink: nothing to read
  return { text, penalties, winners: penalties.map(argmin), path, pixels, width };
}

// read_string_details: any grey drawing (width x height grey levels 0..255, either polarity)
// normalised (normalise_string.js) and read; also `normalised`, normaliseString's result. An
// image without ink becomes a blank 32 x 32 field, which is read as the Python reads it.
export function readString(net, grey, width, height, polarity = "auto") {
  const normalised = normaliseString(grey, width, height, polarity);
  return { ...readNormalised(net, normalised.pixels, normalised.width), normalised };
}
