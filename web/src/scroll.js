// Scrolling the cursor into view only when it is not in view already.
//
// Every typing or deleting transaction asks CodeMirror to scroll the cursor into view. In
// the frame that draws the keystroke that costs a layout forced in CodeMirror's measure
// (the cursor's rectangle, read after the layers have written theirs), the style and
// rectangle of every scrolling ancestor, and a second measure pass (0.9 ms of the frame's
// requestAnimationFrame on a 2,000-line program), and for nearly every keystroke it scrolls
// nothing: the cursor was in view and stays on its line. Such a transaction's request is
// dropped here, judged from the geometry CodeMirror measured in the last frame (no DOM
// read); any other edit (a new line, a cursor near an edge or out of view, wide or tab
// characters before it) scrolls as before.
import { EditorState } from '@codemirror/state';

/** Whether `pos` (of the view's current document) sits on a line wholly in view, with room after it. */
function inView(view, pos, column, pixels) {
  if (pos < view.viewport.from || pos > view.viewport.to) return false;
  const block = view.lineBlockAt(pos);
  // The whole line in view (CodeMirror would move it at most its 5 px margin), and a line
  // to spare below it, where a horizontal scroll bar may cover the view.
  if (block.top < pixels.top || block.bottom + block.height > pixels.bottom) return false;
  const width = view.defaultCharacterWidth;
  return pixels.left <= 0 && (column + 4) * width < pixels.right - 4 * width;
}

/**
 * Whether the scroll `tr` asks for is needless: one cursor, the edit keeps it on its line
 * and the line count unchanged, and that line wholly in `view` with the cursor's column
 * well inside the view's width.
 */
export function needlessScroll(view, tr) {
  const start = tr.startState.selection;
  const end = tr.newSelection;
  if (start.ranges.length !== 1 || end.ranges.length !== 1 || !end.main.empty) return false;
  if (tr.newDoc.lines !== tr.startState.doc.lines) return false;
  const line = tr.newDoc.lineAt(end.main.head);
  if (tr.startState.doc.lineAt(start.main.head).number !== line.number) return false;
  // Across, only plain ASCII (no tab, no wide or combining character) is one default
  // character width each.
  const before = tr.newDoc.sliceString(line.from, end.main.head);
  if (!/^[\x20-\x7e]*$/.test(before)) return false;
  // CodeMirror's viewport as measured in the last frame, in content pixels (private: in
  // another version of CodeMirror, absent, and every scroll goes ahead as before).
  const pixels = view.viewState?.pixelViewport;
  return Boolean(pixels) && view.state === tr.startState && inView(view, start.main.head, before.length, pixels);
}

/** The extension, for the view `getView()` returns: typing and deleting scroll only when needed. */
export function scrollOnlyWhenNeeded(getView) {
  return EditorState.transactionFilter.of((tr) => {
    // Transactions are immutable by contract, and CodeMirror has no option to drop the
    // request; the flag is only read when a transaction is extended or applied (a filter
    // runs before both, and a transaction made from this one takes its flag), so clearing
    // it here drops the request and nothing else.
    if (tr.scrollIntoView && (tr.isUserEvent('input.type') || tr.isUserEvent('delete')) && needlessScroll(getView(), tr)) tr.scrollIntoView = false;
    return tr;
  });
}
