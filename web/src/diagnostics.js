// The compiler's diagnostics in the editor: squiggles, gutter markers and hover.
//
// Not @codemirror/lint: its squiggles are mark decorations, so a new set of diagnostics
// rewrites the DOM of every line they touch, and restoring the selection in a rewritten
// line makes Chromium lay the page out synchronously, while the next keystroke waits.
// Here the squiggles are a layer (like CodeMirror's own selection): rectangles measured
// and drawn in the view's next frame, with the text's DOM left alone. The diagnostics
// live in a state field and move with every edit, as the text under them does.
import { GutterMarker, gutter, hoverTooltip, layer, RectangleMarker } from '@codemirror/view';
import { EditorSelection, RangeSet, RangeValue, StateEffect, StateField } from '@codemirror/state';

/** One diagnostic in the document: `{ from, to, severity, source, message, ... }` as given. */
class Problem extends RangeValue {
  constructor(diagnostic) {
    super();
    this.diagnostic = diagnostic;
  }

  eq(other) {
    return this.diagnostic === other.diagnostic;
  }
}

class Marker extends GutterMarker {
  constructor(severity, title) {
    super();
    this.severity = severity;
    this.title = title;
  }

  eq(other) {
    return other.severity === this.severity && other.title === this.title;
  }

  toDOM() {
    const dom = document.createElement('div');
    dom.className = `kp-gutter-mark ${this.severity}`;
    dom.title = this.title;
    return dom;
  }
}

/** The order the field keeps diagnostics in. */
export const byPosition = (a, b) => a.from - b.from || a.to - b.to;

/** Replaces the check's diagnostics shown (an array of `{ from, to, severity, source, message }`); the lints stay. */
export const setProblems = StateEffect.define();

/**
 * Replaces the lints shown beside the check's diagnostics (the identity lints, found by the
 * access module once typing pauses). Until the next ones they move with the text, as the
 * check's do; an edit that touches a lint's range drops it, so a lint is never shown on
 * text it was not found in.
 */
export const setLints = StateEffect.define();

/**
 * `{ size, lints, ranges, lines }`: how many diagnostics the field holds and how many of
 * them are lints, every range (mapped through edits), and gutter markers.
 */
export const problemField = StateField.define({
  create: () => ({ size: 0, lints: 0, ranges: RangeSet.empty, lines: RangeSet.empty }),
  update(value, tr) {
    let problems = null;
    let lints = null;
    for (const e of tr.effects) {
      if (e.is(setProblems)) problems = e.value;
      else if (e.is(setLints)) lints = e.value.map((d) => ({ ...d, lint: true }));
    }
    if (problems === null && lints === null && (!tr.docChanged || value.size === 0)) return value;
    let ranges = value.ranges;
    if (tr.docChanged && value.lints > 0) {
      ranges = ranges.update({ filter: (from, to, p) => !(p.diagnostic.lint && tr.changes.touchesRange(from, to)) });
    }
    if (tr.docChanged) ranges = ranges.map(tr.changes);
    const dropped = ranges.size !== value.ranges.size;
    if (problems === null && lints === null && !dropped) return { ...value, ranges, lines: value.lines.map(tr.changes) };
    // What stays, where it is now: the check's diagnostics or the lints no effect replaced.
    problems ??= shown(ranges, false);
    lints ??= shown(ranges, true);
    return fromList(problems, lints, tr.newDoc);
  },
});

/** The diagnostics in `ranges` that are lints (or are not), at their ranges' places. */
function shown(ranges, lint) {
  const out = [];
  for (const iter = ranges.iter(); iter.value; iter.next()) {
    const d = iter.value.diagnostic;
    if (!d.lint !== !lint) continue;
    out.push(iter.from === d.from && iter.to === d.to ? d : { ...d, from: iter.from, to: iter.to });
  }
  return out;
}

function fromList(list, lints, doc) {
  const sorted = [...list, ...lints].sort(byPosition);
  const ranges = RangeSet.of(sorted.map((d) => new Problem(d).range(d.from, d.to)));
  // One marker per line: the worst severity there, every message in its title.
  const byLine = new Map();
  for (const d of sorted) {
    const line = doc.lineAt(d.from);
    const seen = byLine.get(line.from);
    if (seen) {
      seen.severity = seen.severity === 'error' || d.severity === 'error' ? 'error' : 'warning';
      seen.titles.push(d.message);
    } else byLine.set(line.from, { severity: d.severity, titles: [d.message] });
  }
  const lines = RangeSet.of([...byLine].map(([from, m]) => new Marker(m.severity, m.titles.join('\n')).range(from)));
  return { size: sorted.length, lints: lints.length, ranges, lines };
}

/**
 * The lints `state` shows, where they are now (with their line and column there), for
 * the problems panel.
 */
export function shownLints(state) {
  const { lints, ranges } = state.field(problemField);
  if (lints === 0) return [];
  return shown(ranges, true).map((d) => {
    const line = state.doc.lineAt(d.from);
    return { ...d, line: line.number, column: d.from - line.from + 1 };
  });
}

/**
 * Whether `ranges` (the field's, or the field's mapped through an edit) hold exactly
 * `diags` beside their lints (positions, severities, texts), in the field's order.
 */
export function showsExactly(ranges, diags) {
  let i = 0;
  for (const iter = ranges.iter(); iter.value; iter.next()) {
    const d = iter.value.diagnostic;
    if (d.lint) continue;
    const n = diags[i++];
    if (n === undefined || n.from !== iter.from || n.to !== iter.to || n.severity !== d.severity || n.code !== d.code || n.message !== d.message || n.label !== d.label || n.help !== d.help) return false;
  }
  return i === diags.length;
}

const squiggles = layer({
  above: true,
  class: 'kp-squiggles',
  update: (u) => u.docChanged || u.viewportChanged || u.startState.field(problemField) !== u.state.field(problemField),
  markers(view) {
    const out = [];
    const { from: top, to: bottom } = view.viewport;
    const doc = view.state.doc;
    for (const iter = view.state.field(problemField).ranges.iter(top); iter.value && iter.from <= bottom; iter.next()) {
      let { from, to } = iter;
      // An empty range (a missing `}` at the end) is drawn under the character after it,
      // or before it at a line end.
      if (from === to) {
        const line = doc.lineAt(from);
        if (to < line.to) to++;
        else if (from > line.from) from--;
      }
      const cls = `kp-squiggle ${iter.value.diagnostic.severity}`;
      out.push(...RectangleMarker.forRange(view, cls, EditorSelection.range(Math.max(from, top), Math.min(to, bottom))));
    }
    return out;
  },
});

const problemGutter = gutter({
  class: 'kp-problem-gutter',
  markers: (view) => view.state.field(problemField).lines,
  // The gutter's width, from an invisible marker CodeMirror keeps in it.
  initialSpacer: () => new Marker('spacer', ''),
});

/** Hover over a squiggled range: its diagnostics, drawn by `render(diagnostic)`. */
function problemHover(render) {
  return hoverTooltip((view, pos, side) => {
    const found = [];
    let from = pos;
    let to = pos;
    // As @codemirror/lint decides it: inside the range, or at an edge facing into it.
    view.state.field(problemField).ranges.between(pos - (side < 0 ? 1 : 0), pos + (side > 0 ? 1 : 0), (f, t, value) => {
      if (pos >= f && pos <= t && (f === t || ((pos > f || side > 0) && (pos < t || side < 0)))) {
        found.push(value.diagnostic);
        from = Math.min(from, f);
        to = Math.max(to, t);
      }
    });
    if (found.length === 0) return null;
    return {
      pos: from,
      end: to,
      above: true,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'kp-problem-tooltip';
        for (const d of found) dom.append(render(d));
        return { dom };
      },
    };
  });
}

/** Moves the selection to the next diagnostic after it (F8), wrapping around. */
export function nextProblem(view) {
  const { ranges } = view.state.field(problemField);
  const head = view.state.selection.main.head;
  let target = null;
  let first = null;
  for (const iter = ranges.iter(); iter.value; iter.next()) {
    first ??= { from: iter.from, to: iter.to };
    if (iter.from > head) {
      target = { from: iter.from, to: iter.to };
      break;
    }
  }
  target ??= first;
  if (!target) return false;
  view.dispatch({ selection: { anchor: target.from, head: target.to }, scrollIntoView: true });
  return true;
}

/** The editor extensions: the field, squiggles, gutter markers and hover. */
export function problems({ render }) {
  return [problemField, squiggles, problemGutter, problemHover(render)];
}
