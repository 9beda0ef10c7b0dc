// Tokenizes .kp files with the grammar exactly as VS Code does (vscode-textmate on the
// Oniguruma regex engine compiled to wasm, vscode-oniguruma) and prints each line's
// tokens with their scopes, one token a line:
//   LINE:COL 'text' scope.a scope.b
// Run by crates/lsp/tests/grammar.rs, which snapshots the output.
//   node editors/vscode/test/grammar.mjs FILE.kp...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));

const grammarPath = join(here, '..', 'syntaxes', 'keyplan.tmLanguage.json');
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === 'source.keyplan'
      ? vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath)
      : null,
});
const grammar = await registry.loadGrammar('source.keyplan');
if (!grammar) throw new Error('the grammar did not load');

for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let state = vsctm.INITIAL;
  lines.forEach((line, i) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
    state = ruleStack;
    for (const t of tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (text.trim() === '') continue; // whitespace between tokens
      const scopes = t.scopes.filter((s) => s !== 'source.keyplan').join(' ') || '-';
      console.log(`${i + 1}:${t.startIndex + 1} ${JSON.stringify(text)} ${scopes}`);
    }
  });
}
