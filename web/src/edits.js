// A CodeMirror `ChangeSet` as the compiler's lanes take it: flat `[from, to, inserted]`
// triples in the old document's offsets (UTF-16 units, as JavaScript counts), in
// ascending order. Applied from the last triple back, each applies at the offsets it was
// given.

/** The triples of `changes`. */
export function editTriples(changes) {
  const edits = [];
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => edits.push(fromA, toA, inserted.toString()));
  return edits;
}

/**
 * Applies `edits` (triples) with `edit(from, to, inserted)`, from the last back: false as
 * soon as `edit` refuses one (the text may then be part-edited).
 */
export function applyEdits(edits, edit) {
  for (let i = edits.length - 3; i >= 0; i -= 3) if (!edit(edits[i], edits[i + 1], edits[i + 2])) return false;
  return true;
}
