// The examples menu: the repository's examples/*.kp, read at build time.
const files = import.meta.glob('../../examples/*.kp', { query: '?raw', import: 'default', eager: true });

function title(name, source) {
  // A leading comment names the example (up to its first `:`, `,` or `.`, after any
  // "Scenario N:"); else the file name does. Numbered files keep their number.
  const first = source.split('\n').find((l) => l.trim() !== '');
  const m = first && /^\s*(?:#|\/\/)\s*(?:scenario\s*\d+\s*:\s*)?([^:,.]+)/i.exec(first);
  let text = m ? m[1].trim() : name.replace(/^\d+-/, '').replace(/-/g, ' ');
  text = text.charAt(0).toUpperCase() + text.slice(1);
  const n = /^(\d+)-/.exec(name);
  return n ? `${Number(n[1])}. ${text}` : text;
}

export const examples = Object.entries(files)
  .map(([path, source]) => {
    const name = path.split('/').pop().replace(/\.kp$/, '');
    return { name, title: title(name, source), source };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

export const defaultExample = examples.find((e) => e.name === 'pipeline') || examples[0];
