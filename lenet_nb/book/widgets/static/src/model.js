// The widget's model (anywidget's traits): saving a selection, and redrawing when it changes.

// Save a selection: with a kernel Python sees it; in the static book there is no comm to save
// through, and the local change (which redraws the view) is all there is. Returns whether the
// change could be sent.
export function select(model, changes) {
  for (const [key, value] of Object.entries(changes)) model.set(key, value);
  try {
    model.save_changes();
    return true;
  } catch (err) {
    return false; // No kernel: nothing to sync with.
  }
}

// Redraw once per batch of trait changes: a selection sets two traits one after the other, and
// the view must never be drawn from half of it (say an S2 row index still naming a C3 column).
export function onChanges(model, names, update) {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      update();
    });
  };
  for (const name of names) model.on(`change:${name}`, schedule);
  return () => {
    for (const name of names) model.off(`change:${name}`, schedule);
  };
}
