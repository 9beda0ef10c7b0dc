import { EditorView, hoverTooltip, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, highlightSpecialChars } from '@codemirror/view';
import { EditorState, Compartment } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';

import * as compiler from './compiler.js';
import * as inline from './inline.js';
import { keyplanHighlighting, keyplanLanguageData } from './language.js';
import { scrollOnlyWhenNeeded } from './scroll.js';
import { problems, problemField, setProblems, setLints, shownLints, showsExactly, nextProblem, byPosition } from './diagnostics.js';
import { keyplanCompletion, keyplanHover, contextCheckpoints } from './complete.js';
import { renderGraph, graphSvg } from './graph.js';
import { renderMatrix, matrixCsv } from './matrix.js';
import { highlightInto } from './highlight.js';
import { cancel as cancelSlices } from './slice.js';
import { encodeHash, decodeHash } from './share.js';
import { examples, defaultExample } from './examples.js';
import './style.css';

const $ = (id) => document.getElementById(id);
const STORE_SOURCE = 'keyplan.playground.source';
const STORE_TARGET = 'keyplan.playground.target';
const FORMATS = { api: 'API calls', hcl: 'HCL', json: 'JSON graph', sh: 'Shell' };

// Exposed for the end-to-end tests and the keystroke benchmark.
const probe = (window.__keyplan = { checks: 0, scrollRequests: 0, builds: 0, keyAt: 0, latencies: [], framedLatencies: [], listedVersion: 0, edits: 0, appliedEdits: [], checkMs: [], applyMs: [], renderMs: [], keyToCheck: [], buildQuiet: [], ready: false, crash: null });

const state = {
  target: 'vault',
  tab: 'graph',
  file: {},
  lastBuild: null,
  lastGood: null,
  schema: null,
  example: '',
};

// ---------------------------------------------------------------- editor

const editor = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: '',
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      indentUnit.of('  '),
      EditorState.tabSize.of(2),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      scrollOnlyWhenNeeded(() => editor),
      keyplanLanguageData,
      keyplanHighlighting,
      problems({ render: (d) => renderTooltip(d) }),
      contextCheckpoints,
      autocompletion({ override: [keyplanCompletion(() => state.schema)], icons: true }),
      hoverTooltip(keyplanHover(() => state.schema), { hoverTime: 350 }),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...searchKeymap, { key: 'F8', run: nextProblem }, indentWithTab]),
      // The check of an edit starts as soon as its transaction exists, before the view
      // draws it: a keystroke's check that fits in the frame runs right here and its
      // diagnostics ride in the keystroke's own transaction (one view update draws the
      // edit and its squiggles); else it is posted, and the worker checks while CodeMirror
      // updates the page. The listener catches an edit whose transaction was not seen (a
      // no-op otherwise), and reports a keystroke's diagnostics once the view holds them.
      EditorState.transactionExtender.of((tr) => {
        if (!tr.docChanged) return null;
        const shown = checkKeystroke(tr);
        // A transaction given effects here is made anew, with a document of its own: then
        // the listener reports the edit, of the document the view will hold.
        if (!shown) onEdit(tr.newDoc, tr.startState.doc, tr.changes);
        return shown;
      }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onEdit(u.state.doc, u.startState.doc, u.changes);
        for (const tr of u.transactions) if (tr.scrollIntoView) probe.scrollRequests++;
        if (keystrokeCheck && appliedKeystrokeCheck(u)) keystrokeChecked(u.state.doc);
      }),
      EditorView.contentAttributes.of({ 'aria-label': 'keyplan program', spellcheck: 'false' }),
    ],
  }),
});

editor.contentDOM.addEventListener('keydown', () => (probe.keyAt = performance.now()), true);
editor.contentDOM.addEventListener('beforeinput', () => (probe.keyAt ||= performance.now()), true);

probe.editor = editor;
// For the tests: a scroll request as CodeMirror's commands make it (y: 'center', 'end', ...).
probe.scrollIntoView = (pos, y) => EditorView.scrollIntoView(pos, { y });
probe.timings = compiler.timings;
probe.sent = compiler.sent;
probe.spoilHeldText = compiler.spoilHeldText;
// A check of a whole text, as the CLI would make it (the tests compare it with the
// check of the same text made from the edits).
probe.checkText = (text) => compiler.check(text, state.target).then((r) => r.value);
probe.inline = inline.inlineState;
probe.observeCheck = inline.observe;
probe.inlineChecks = 0;
// The codes of the diagnostics the editor shows (the tests read it right after a transaction):
// its ranges, mapped through every edit since they were set, which drops those whose text
// was deleted (the field's `list` keeps them as given).
probe.problemCodes = () => {
  const codes = [];
  for (const iter = editor.state.field(problemField).ranges.iter(); iter.value; iter.next()) codes.push(iter.value.diagnostic.code);
  return codes.sort();
};
inline.start(compiler.compiledModule);

const source = () => editor.state.doc.toString();

function setSource(text) {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text }, selection: { anchor: 0 }, scrollIntoView: true });
}

// ---------------------------------------------------------------- compiling

// At most one check and one build in flight; edits made meanwhile trigger one more run.
// The build (every emitter, the graph, the access matrix) starts once typing pauses: its
// outputs are drawn only after a pause anyway (TYPING_PAUSE_MS), and on a machine with
// few cores a build running between keystrokes takes the core the next check needs.
const BUILD_AFTER_MS = 250;
let checking = false;
let checkAgain = false;
let building = false;
let buildAgain = false;
let buildTimer = 0;
/** The document whose diagnostics the editor shows, and for which target. */
let shownFor = null;
let shownTarget = null;
let persistTimer = 0;

/** The document whose check was last started, so that each edit starts one check. */
let editedDoc = null;

// The edits since the last check was posted: the changes from `checkedDoc` to
// `changedDoc`, composed transaction by transaction (null: not known, send the text).
let checkedDoc = null;
let changedDoc = null;
let changes = null;

function onEdit(doc, startDoc, change) {
  if (doc === editedDoc) return;
  editedDoc = doc;
  // A change that does not start where the known ones end (a transaction made but never
  // applied) breaks the chain: the next check sends the whole text.
  changes = changes && startDoc === changedDoc ? changes.compose(change) : startDoc === checkedDoc ? change : null;
  changedDoc = doc;
  probe.edits++;
  if (state.example && doc.toString() !== (examples.find((e) => e.name === state.example)?.source ?? '')) {
    state.example = '';
    $('examples').value = '';
  }
  lastEditAt = performance.now();
  compiler.cutBuild();
  // A check that fits in the frame ran in a keystroke's transaction (`checkKeystroke`);
  // for any other edit it runs once this task's transactions are done (the microtask
  // after them), before the frame that draws the edit; else in the worker.
  if (inline.fits(doc.length)) {
    if (!inlineQueued) {
      inlineQueued = true;
      queueMicrotask(runInlineCheck);
    }
  } else runCheck(doc);
  clearTimeout(buildTimer);
  buildTimer = setTimeout(runBuild, BUILD_AFTER_MS);
  clearTimeout(persistTimer);
  persistTimer = setTimeout(persistWhenIdle, PERSIST_AFTER_MS);
}

let inlineQueued = false;

/** For the bench: how long after the keystroke's first event its check starts. */
function keyToCheck() {
  if (probe.keyAt) probe.keyToCheck.push(performance.now() - probe.keyAt);
}

/** A keystroke's check made in its transaction, until the view has applied that transaction. */
let keystrokeCheck = null;

/**
 * Checks the document a typing or deleting transaction makes, on the page, when that fits
 * in the frame: returns the effect that shows its diagnostics (none when the editor
 * already shows them, mapped through the edit). Any other edit, or a keystroke whose
 * transaction is never applied, is checked by `runInlineCheck` once its task's
 * transactions are done.
 */
function checkKeystroke(tr) {
  const doc = tr.newDoc;
  if (!(tr.isUserEvent('input') || tr.isUserEvent('delete')) || !inline.fits(doc.length)) return null;
  keyToCheck();
  const target = state.target;
  const result = inline.check(doc, target, tr.startState.doc, tr.changes);
  if (!result) return null;
  const t0 = performance.now();
  const diags = diagnosticsIn(result.value, doc.length);
  const same = showsExactly(tr.startState.field(problemField).ranges.map(tr.changes), diags);
  keystrokeCheck = { doc, diags: same ? null : diags, target, result, prepMs: performance.now() - t0 };
  return same ? null : { effects: setProblems.of(diags) };
}

/** Whether the view update `u` applied the transaction `keystrokeCheck` was made in. */
function appliedKeystrokeCheck(u) {
  const { doc, diags } = keystrokeCheck;
  if (!diags) return u.state.doc === doc;
  return u.transactions.some((tr) => tr.effects.some((e) => e.is(setProblems) && e.value === diags));
}

function keystrokeChecked(doc) {
  const { target, result, prepMs } = keystrokeCheck;
  inline.sameText(keystrokeCheck.doc, doc);
  keystrokeCheck = null;
  shownInline(doc, target, result, probe.edits);
  diagnosticsShown(result.value, result.ms, performance.now() - prepMs);
}

function shownInline(doc, target, result, edit) {
  probe.checks++;
  probe.inlineChecks++;
  probe.appliedEdits.push(edit);
  probe.lastCheck = result.value;
  shownFor = doc;
  shownTarget = target;
}

/**
 * Checks the editor's document on the page, now: its diagnostics are applied in this task,
 * so the frame that draws the edit draws them too. A check in the worker for an older
 * document is then dropped when it answers (it is not of the editor's document).
 */
function runInlineCheck() {
  inlineQueued = false;
  const doc = editor.state.doc;
  if (doc === shownFor && state.target === shownTarget) return;
  keyToCheck();
  const edit = probe.edits;
  const target = state.target;
  const result = inline.check(doc, target);
  // Not here after all (the page's compiler crashed): the worker checks it, and reports.
  if (!result) return runCheck(doc);
  applyDiagnostics(result.value, result.ms);
  shownInline(doc, target, result, edit);
}

// A check is of one document (CodeMirror's immutable `Text`): its result is shown only
// if the editor still holds that very document, so no text is compared or copied twice.
async function runCheck(doc = editor.state.doc) {
  if (checking) {
    checkAgain = true;
    return;
  }
  // Already shown (checked on the page meanwhile): nothing to ask the worker.
  if (doc === shownFor && state.target === shownTarget) return;
  checking = true;
  keyToCheck();
  // Which edit this text is (the tests check that diagnostics come in edit order).
  const edit = probe.edits;
  const since = changedDoc === doc ? changes : null;
  const target = state.target;
  const request = compiler.checkDoc(doc, checkedDoc, since, target);
  checkedDoc = doc;
  changedDoc = doc;
  changes = null;
  try {
    const { value, ms } = await request;
    probe.checks++;
    inline.observe(doc.length, ms);
    // Not when the page checked this document (or a newer one) meanwhile.
    if (doc === editor.state.doc && !(doc === shownFor && target === shownTarget)) {
      probe.appliedEdits.push(edit);
      probe.lastCheck = value;
      applyDiagnostics(value, ms);
      shownFor = doc;
      shownTarget = target;
    }
  } catch (e) {
    showCrash(e);
  } finally {
    checking = false;
    if (checkAgain) {
      checkAgain = false;
      runCheck();
    }
  }
}

async function runBuild() {
  if (building) {
    buildAgain = true;
    return;
  }
  building = true;
  // How long typing had paused when this build started (the tests check it).
  probe.buildQuiet.push(performance.now() - lastEditAt);
  const doc = editor.state.doc;
  const text = doc.toString();
  try {
    const { value, ms, superseded } = await compiler.build(text, state.target);
    if (superseded) return;
    probe.builds++;
    if (doc === editor.state.doc) {
      state.lastBuild = value;
      if (value.ok) state.lastGood = value;
      // The check of this text already showed the same diagnostics: not again.
      if (shownFor !== doc) applyDiagnostics(value, null);
      setStatus(value, ms);
      renderWhenIdle({ source: text, target: state.target, ms });
      if (value.ok) showLints(doc, text, value);
      else dropLints();
    }
  } catch (e) {
    showCrash(e);
    probe.built = { source: text, target: state.target, crash: true };
  } finally {
    building = false;
    if (buildAgain) {
      buildAgain = false;
      // Still only once typing has paused (an edit may have cut this build short).
      clearTimeout(buildTimer);
      buildTimer = setTimeout(runBuild, Math.max(0, lastEditAt + BUILD_AFTER_MS - performance.now()));
    }
  }
}

/**
 * Shows the identity lints (who can log in as whom, rules granting too much or nothing:
 * what `keyplan check` and the language server add to the check's diagnostics) beside the
 * check's diagnostics of `doc`, once the access module has answered, if the editor still
 * holds `doc`. They come from the access lane after each build, that is once typing
 * pauses; until the next ones they move with the text, and an edit that touches a lint's
 * text drops it (the editor's problem field), so a lint is never shown on text it was not
 * found in, and typing elsewhere does not make them blink.
 */
async function showLints(doc, text, built) {
  const target = state.target;
  try {
    const { value, superseded } = await compiler.lints(text, target);
    if (superseded || doc !== editor.state.doc || target !== state.target) return;
    probe.lints = value;
    const t0 = performance.now();
    editor.dispatch({ effects: setLints.of(value.ok ? diagnosticsIn(value, doc.length) : []) });
    diagnosticsShown(built, null, t0);
  } catch (e) {
    // The access module failed (a crash is reported in the access tab when it is used):
    // the check's diagnostics stay as they are.
    console.warn('identity lints unavailable:', e && e.message ? e.message : e);
  }
}

/** Lints found in a text that compiled are not shown on one that does not (or for another target). */
function dropLints() {
  if (editor.state.field(problemField).lints > 0) editor.dispatch({ effects: setLints.of([]) });
}

// Drawing the outputs (a large graph, long JSON) can hold the main thread for longer than
// a frame: it waits until typing pauses, so keystrokes and their diagnostics go first.
const TYPING_PAUSE_MS = 400;
let lastEditAt = 0;
let renderTimer = 0;

function renderWhenIdle(built) {
  clearTimeout(renderTimer);
  const wait = lastEditAt + TYPING_PAUSE_MS - performance.now();
  if (wait > 0) {
    renderTimer = setTimeout(() => renderWhenIdle(built), wait);
    return;
  }
  if (built.source !== source()) return; // a newer build is on its way
  const t0 = performance.now();
  renderOutput();
  probe.renderMs.push(performance.now() - t0);
  probe.built = built;
}

function showCrash(e) {
  probe.crash = String(e.message || e);
  showStatus('compiler crashed', 'status bad');
  const list = $('diagnostics');
  list.replaceChildren();
  listedKey = null;
  cancelAnimationFrame(listFrame);
  listFrame = 0;
  listObserver?.disconnect();
  const item = document.createElement('div');
  item.className = 'diag error';
  item.innerHTML = '<span class="sev">internal</span><span class="msg"></span>';
  item.querySelector('.msg').textContent = `the compiler crashed: ${probe.crash}. This is a bug in keyplan; the editor keeps working.`;
  list.append(item);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function setStatus(result, ms) {
  if (result.error) return showStatus(result.error, 'status bad');
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const time = ms == null ? '' : ` · ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  showStatus(result.ok ? `compiles for ${result.target === 'openbao' ? 'OpenBao' : 'Vault'}${time}` : `${plural(errors, 'error')}${time}`, `status ${result.ok ? 'good' : 'bad'}`);
}

// The status line changes with nearly every keystroke (the check's time). Written at once,
// it dirties the page's layout after the keystroke's own layout is done, and Chromium then
// lays the page out again when it handles the key-up, ahead of the frame; written in the
// frame that draws the keystroke, its layout is part of that frame's. The last one wins.
let statusFrame = 0;
let wantedStatus = null;

function showStatus(text, className) {
  wantedStatus = { text, className };
  statusFrame ||= requestAnimationFrame(() => {
    statusFrame = 0;
    const el = $('status');
    if (el.textContent !== wantedStatus.text) el.textContent = wantedStatus.text;
    if (el.className !== wantedStatus.className) el.className = wantedStatus.className;
  });
}

/** The editor's diagnostics for a check's `result` of a document `length` units long, in the field's order. */
function diagnosticsIn(result, length) {
  const clamp = (n) => Math.max(0, Math.min(length, n));
  return (result.diagnostics || [])
    .map((d) => ({ ...d, from: clamp(d.from), to: clamp(Math.max(d.to, d.from)), severity: d.severity === 'error' ? 'error' : 'warning' }))
    .sort(byPosition);
}

function applyDiagnostics(result, ms) {
  const t0 = performance.now();
  const diags = diagnosticsIn(result, editor.state.doc.length);
  // Most keystrokes leave the problems where the editor already shows them (mapped
  // through the edit): then no transaction at all. Otherwise one transaction that draws
  // nothing itself: the squiggles are drawn in the view's next frame.
  if (!showsExactly(editor.state.field(problemField).ranges, diags)) editor.dispatch({ effects: setProblems.of(diags) });
  diagnosticsShown(result, ms, t0);
}

/** What follows a check's diagnostics reaching the editor (applied from `t0` on): the list, the status, the probes. */
function diagnosticsShown(result, ms, t0) {
  probe.diagnosticsVersion = (probe.diagnosticsVersion || 0) + 1;
  // The problems panel is drawn a frame later, off this keystroke's path.
  listWhenFramed(result, probe.diagnosticsVersion);
  probe.applyMs.push(performance.now() - t0);
  // The check's verdict shows at once; the build, when typing pauses, adds its own time.
  if (ms != null) setStatus(result, ms);
  if (ms != null) probe.checkMs.push(ms);
  if (probe.keyAt) {
    const key = probe.keyAt;
    probe.latencies.push(performance.now() - key);
    // For traces (trace-keystroke.mjs sets `markApplied`): where a keystroke's diagnostics
    // were applied. Not otherwise: a mark costs 0.4 ms in a trace, and the page's buffer
    // would keep one per keystroke for good.
    if (probe.markApplied) performance.mark('kp:applied');
    probe.keyAt = 0;
    // Until the frame that shows them has been drawn (rAF callbacks, style, layout, paint).
    requestAnimationFrame(() => afterPaint(() => probe.framedLatencies.push(performance.now() - key)));
  }
  for (const wake of probe.waiters.splice(0)) wake(probe.diagnosticsVersion);
}

/** Runs `f` just after the frame being prepared is painted. */
const paintChannel = new MessageChannel();
const afterPaintQueue = [];
paintChannel.port1.onmessage = () => afterPaintQueue.shift()?.();
function afterPaint(f) {
  afterPaintQueue.push(f);
  paintChannel.port2.postMessage(0);
}

let listFrame = 0;
let listResult = null;
let listVersion = 0;

/**
 * Draws the problems panel for `result` in the frame after the next (once, however many
 * results came meanwhile). The next frame draws the edit, its squiggles and the status;
 * the panel's items (their style, layout and paint: 0.5–1.5 ms when a problem comes or
 * goes) follow 16 ms later instead of delaying that frame and the input queued behind it.
 */
function listWhenFramed(result, version) {
  listResult = result;
  listVersion = version;
  listFrame ||= requestAnimationFrame(() => {
    listFrame = requestAnimationFrame(() => {
      listFrame = 0;
      renderDiagnosticList(listResult);
      probe.listedVersion = listVersion;
    });
  });
}

// For benchmarks driving the page from outside: resolves once diagnostics newer than
// version `n` have been applied (no polling, so the measurement adds no frame of delay).
probe.waiters = [];
probe.whenDiagnostics = (n) =>
  (probe.diagnosticsVersion || 0) > n ? Promise.resolve(probe.diagnosticsVersion) : new Promise((wake) => probe.waiters.push(wake));

/** Message text with `backticked` parts as <code>, built as DOM nodes. */
function rich(cls, text) {
  const node = document.createElement('span');
  node.className = cls;
  text.split(/(`[^`]*`)/).forEach((part) => {
    if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) {
      node.append(Object.assign(document.createElement('code'), { textContent: part.slice(1, -1) }));
    } else if (part) node.append(part);
  });
  return node;
}

function renderTooltip(d) {
  const box = document.createElement('div');
  box.className = 'tip';
  box.append(rich('tip-msg', d.message));
  if (d.label && d.label !== d.message) box.append(rich('tip-label', d.label));
  if (d.help) box.append(rich('tip-help', `help: ${d.help}`));
  return box;
}

let listedKey = null;

function renderDiagnosticList(result) {
  const lints = shownLints(editor.state);
  const ds = lints.length === 0 ? result.diagnostics || [] : [...(result.diagnostics || []), ...lints].sort(byPosition);
  // Most keystrokes leave the list as it was (same problems, same places): no DOM work then.
  const key = JSON.stringify([result.error || '', ds.map((d) => [d.code, d.severity, d.line, d.column, d.from, d.to, d.message, d.help])]);
  if (key === listedKey) return;
  listedKey = key;
  const list = $('diagnostics');
  list.replaceChildren();
  const head = document.createElement('div');
  head.className = 'diag-head';
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  if (result.error) head.textContent = result.error;
  else if (ds.length === 0) head.textContent = '✓ No problems';
  else head.textContent = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean).join(', ');
  head.classList.toggle('clean', ds.length === 0 && !result.error);
  list.append(head);
  appendItems(list, ds, 0);
}

// A program with thousands of problems (the wrong target, a pasted file) would take the
// panel many frames to lay out: it shows them a page at a time, the next page once the
// end of the list scrolls into view.
const LIST_PAGE = 100;
let listObserver = null;

function appendItems(list, ds, start) {
  listObserver?.disconnect();
  const end = Math.min(ds.length, start + LIST_PAGE);
  for (let i = start; i < end; i++) list.append(diagnosticItem(ds[i]));
  if (end === ds.length) return;
  const more = Object.assign(document.createElement('div'), { className: 'diag-more', textContent: `${ds.length - end} more…` });
  list.append(more);
  listObserver = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      more.remove();
      appendItems(list, ds, end);
    },
    { root: list },
  );
  listObserver.observe(more);
}

function diagnosticItem(d) {
  const item = document.createElement('button');
  item.type = 'button';
  item.className = `diag ${d.severity}`;
  item.dataset.testid = 'diagnostic';
  item.dataset.code = d.code;
  const sev = Object.assign(document.createElement('span'), { className: 'sev', textContent: d.severity });
  const where = Object.assign(document.createElement('span'), { className: 'where', textContent: `${d.line}:${d.column}` });
  const msg = rich('msg', d.message);
  const code = Object.assign(document.createElement('span'), { className: 'code', textContent: d.code });
  item.append(sev, where, msg, code);
  if (d.help) item.append(rich('help', `help: ${d.help}`));
  item.addEventListener('click', () => {
    const to = Math.min(editor.state.doc.length, d.to);
    editor.dispatch({ selection: { anchor: Math.min(d.from, to), head: to }, scrollIntoView: true });
    editor.focus();
  });
  return item;
}

// ---------------------------------------------------------------- outputs

function currentFiles() {
  const build = state.lastBuild?.ok ? state.lastBuild : state.lastGood;
  return (build?.outputs || []).filter((o) => o.format === state.tab);
}

function renderOutput() {
  // What the previous render still had to draw is no longer shown.
  cancelSlices('graph');
  cancelSlices('highlight');
  const out = $('output');
  // The pane's size while its layout is still clean (before anything below changes it).
  const pane = state.tab === 'matrix' ? { width: out.clientWidth, height: out.clientHeight } : null;
  const files = $('files');
  files.replaceChildren();
  for (const b of document.querySelectorAll('#tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === state.tab));
  const build = state.lastBuild;
  const stale = build && !build.ok && state.lastGood;
  out.classList.toggle('stale', Boolean(stale));
  out.dataset.tab = state.tab;
  out.replaceChildren();
  if (stale) {
    const other = staleForOtherTarget();
    const note = other ? `The program has errors: showing its last successful build, for ${TARGET_NAMES[state.lastGood.target] || state.lastGood.target} (not offered to copy or download).` : 'The program has errors: showing its last successful build.';
    out.append(Object.assign(document.createElement('div'), { className: 'stale-note', textContent: note }));
  }
  const view = build?.ok ? build.view : state.lastGood?.view;
  if (state.tab === 'graph') {
    const box = document.createElement('div');
    box.className = 'view';
    out.append(box);
    renderGraph(box, build ? view : null, (node) => jumpToLine(node.line));
    return;
  }
  if (state.tab === 'matrix') {
    const box = document.createElement('div');
    box.className = 'view';
    renderMatrix(
      box,
      build ? view : null,
      (claims, mount) => compiler.simulate(source(), claims, mount, state.target).then((r) => r.value),
      (paths, as) => compiler.explain(source(), JSON.stringify({ paths, as }), state.target).then((r) => r.value),
      pane,
    );
    out.append(box);
    return;
  }
  const list = currentFiles();
  if (list.length === 0) {
    out.append(
      Object.assign(document.createElement('p'), {
        className: 'empty',
        textContent: build ? (build.ok ? `No ${FORMATS[state.tab]} output for this program.` : 'Fix the errors to see the outputs.') : 'Compiling…',
      }),
    );
    return;
  }
  let index = Math.min(state.file[state.tab] || 0, list.length - 1);
  if (list.length > 1) {
    list.forEach((f, i) => {
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.className = `chip${i === index ? ' on' : ''}`;
      chip.dataset.testid = 'file-chip';
      chip.textContent = f.name;
      chip.addEventListener('click', () => {
        state.file[state.tab] = i;
        renderOutput();
      });
      files.append(chip);
    });
  } else {
    files.append(Object.assign(document.createElement('span'), { className: 'file-name', textContent: list[0].name }));
  }
  const pre = document.createElement('pre');
  pre.className = `code lang-${state.tab}`;
  pre.dataset.testid = 'output-text';
  highlightInto(pre, list[index].contents, state.tab === 'api' ? 'json' : state.tab, out);
  out.append(pre);
}

function jumpToLine(line) {
  if (!line) return;
  const l = editor.state.doc.line(Math.min(line, editor.state.doc.lines));
  editor.dispatch({ selection: { anchor: l.from, head: l.to }, scrollIntoView: true });
  editor.focus();
}

function selectTab(tab) {
  state.tab = tab;
  const t0 = performance.now();
  renderOutput();
  probe.renderMs.push(performance.now() - t0);
}

for (const b of document.querySelectorAll('#tabs [data-tab]')) b.addEventListener('click', () => selectTab(b.dataset.tab));

const TARGET_NAMES = { vault: 'Vault', openbao: 'OpenBao' };

/**
 * Whether the outputs shown are a last good build for another target than the failed
 * build's (a target switch that broke the program): not handed out as this target's (QA:
 * Copy gave Vault's calls.json with OpenBao selected).
 */
function staleForOtherTarget() {
  const build = state.lastBuild;
  const good = state.lastGood;
  if (!build || build.ok || !good) return false;
  const now = build.target || (state.target === 'auto' ? null : state.target);
  return Boolean(now && good.target && good.target !== now);
}

// What Copy and Download take: the shown file, the graph as SVG, or the matrix as CSV.
function currentArtifact() {
  if (staleForOtherTarget()) return null;
  if (state.tab === 'graph') {
    // The pane draws only what is in view: the file gets the whole graph, at the pane's width.
    const shown = $('output').querySelector('svg');
    const view = state.lastBuild?.ok ? state.lastBuild.view : state.lastGood?.view;
    const svg = shown && view ? graphSvg(view) : null;
    if (!svg) return null;
    svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    svg.insertBefore(Object.assign(document.createElementNS('http://www.w3.org/2000/svg', 'style'), { textContent: getComputedStyleSheet() }), svg.firstChild);
    return { name: 'graph.svg', contents: svg.outerHTML, type: 'image/svg+xml' };
  }
  if (state.tab === 'matrix') {
    // From the data: a large matrix shows only the rows and columns in view.
    const csv = matrixCsv(state.lastBuild?.ok ? state.lastBuild.view : state.lastGood?.view);
    return csv ? { name: 'access.csv', contents: csv, type: 'text/csv' } : null;
  }
  const list = currentFiles();
  const f = list[Math.min(state.file[state.tab] || 0, list.length - 1)];
  return f ? { name: f.name.split('/').pop(), contents: f.contents, type: 'text/plain' } : null;
}

// For the tests: what Copy and Download would take now.
probe.artifact = () => currentArtifact();

function getComputedStyleSheet() {
  const rules = [];
  for (const sheet of document.styleSheets) {
    try {
      for (const r of sheet.cssRules) if (/\.(graph|node|edge|kind-|level-caption|arrowhead)/.test(r.cssText)) rules.push(r.cssText);
    } catch {
      /* cross-origin sheets: there are none */
    }
  }
  return rules.join('\n');
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

$('copy').addEventListener('click', async () => {
  const a = currentArtifact();
  if (!a) return toast(staleForOtherTarget() ? 'Not built for this target: fix the errors first' : 'Nothing to copy yet');
  toast((await copyText(a.contents)) ? `Copied ${a.name}` : 'Copy failed: select the text instead');
});

$('download').addEventListener('click', () => {
  const a = currentArtifact();
  if (!a) return toast(staleForOtherTarget() ? 'Not built for this target: fix the errors first' : 'Nothing to download yet');
  const url = URL.createObjectURL(new Blob([a.contents], { type: a.type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: a.name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

// ---------------------------------------------------------------- formatting

// The same formatter as `keyplan fmt`: the whole text is replaced in one undoable change,
// the cursor stays on its line. A text with syntax errors is left alone.
async function formatSource() {
  const text = source();
  let value;
  try {
    ({ value } = await compiler.format(text));
  } catch (e) {
    return showCrash(e);
  }
  if (text !== source()) return; // edited meanwhile: format on the next click
  if (!value.ok) return toast(`Not formatted: ${plural(value.diagnostics.length, 'syntax error')}`);
  if (!value.changed) return toast('Already formatted');
  const head = editor.state.selection.main.head;
  const line = editor.state.doc.lineAt(head).number;
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value.formatted } });
  const target = editor.state.doc.line(Math.min(line, editor.state.doc.lines));
  editor.dispatch({ selection: { anchor: target.from }, scrollIntoView: true });
  toast('Formatted');
}

$('format').addEventListener('click', formatSource);
editor.contentDOM.addEventListener('keydown', (e) => {
  if (e.shiftKey && e.altKey && (e.key === 'F' || e.key === 'f' || e.code === 'KeyF')) {
    e.preventDefault();
    formatSource();
  }
});

let toastTimer = 0;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.classList.add('on');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('on'), 1800);
}

// ---------------------------------------------------------------- persistence and sharing

// Saving is not urgent, and `history.replaceState` with a long URL takes milliseconds of
// the main thread: once typing has paused, in an idle moment.
const PERSIST_AFTER_MS = 600;
const persistWhenIdle = () => (window.requestIdleCallback ? requestIdleCallback(() => persist(), { timeout: 1000 }) : persist());

async function persist() {
  const text = source();
  try {
    localStorage.setItem(STORE_SOURCE, text);
    localStorage.setItem(STORE_TARGET, state.target);
  } catch {
    /* storage may be disabled: the URL still holds the program */
  }
  const hash = await encodeHash(text, state.target);
  if (text === source()) window.history.replaceState(null, '', hash);
}

$('share').addEventListener('click', async () => {
  clearTimeout(persistTimer);
  await persist();
  toast((await copyText(location.href)) ? 'Link copied: it holds the whole program' : 'Copy the address bar to share');
});

window.addEventListener('hashchange', async () => {
  const shared = await decodeHash(location.hash);
  // The same program for another target is another link too (QA: it kept the old target).
  if (shared && (shared.source !== source() || targetOf(shared.target) !== state.target)) load(shared.source, shared.target);
});

// ---------------------------------------------------------------- menus

const examplesSelect = $('examples');
examplesSelect.append(new Option('Your program', ''));
probe.examples = examples;
for (const e of examples) examplesSelect.append(new Option(e.title.length > 64 ? `${e.title.slice(0, 63)}…` : e.title, e.name));
examplesSelect.addEventListener('change', () => {
  const e = examples.find((x) => x.name === examplesSelect.value);
  if (!e) return;
  state.example = e.name;
  setSource(e.source);
  examplesSelect.value = e.name;
});

$('target').addEventListener('change', () => {
  state.target = $('target').value;
  dropLints();
  runCheck();
  runBuild();
  persist();
});

/** A stored or shared target as the menu has it: `auto` (the one the program implies, kp::implied-target), `openbao` or `vault`. */
const targetOf = (target) => (target === 'openbao' || target === 'auto' ? target : 'vault');

function load(text, target) {
  state.target = targetOf(target);
  $('target').value = state.target;
  const e = examples.find((x) => x.source === text);
  state.example = e ? e.name : '';
  examplesSelect.value = state.example;
  setSource(text);
}

// The graph's layout depends on the pane's width.
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => state.tab === 'graph' && renderOutput(), 100);
});

// ---------------------------------------------------------------- start

async function start() {
  renderOutput();
  const shared = await decodeHash(location.hash);
  let stored = null;
  try {
    stored = localStorage.getItem(STORE_SOURCE);
  } catch {
    /* no storage */
  }
  if (shared) load(shared.source, shared.target);
  else if (stored !== null) load(stored, localStorage.getItem(STORE_TARGET));
  else load(defaultExample ? defaultExample.source : '', 'vault');
  runCheck();
  runBuild();
  try {
    state.schema = (await compiler.schema()).value;
  } catch (e) {
    console.warn('completion unavailable:', e.message);
  }
  try {
    const v = await compiler.version();
    document.querySelector('.sub').textContent = `playground · v${v.value}`;
  } catch {
    /* shown without a version */
  }
  probe.ready = true;
}

start();
