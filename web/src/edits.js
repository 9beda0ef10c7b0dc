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
