/**
 * Unrolled loops in hand-written WAT without hand-copied bodies. A kernel's .wat marks a loop body
 * once, where its one-at-a-time loop runs it:
 *
 *   ;; @snippet NAME
 *   ...lines...
 *   ;; @end
 *
 * and the unrolled loop above asks for copies of it:
 *
 *   ;; @insert NAME COUNT
 *
 * Each inserted copy is re-indented to the @insert line and gets its own block and loop labels
 * (`$label` becomes `$label_1`, `$label_2`, ...), since WAT labels must not shadow each other
 * within one function body. The definition itself stays where it is, as written. What wabt sees
 * is the expanded text, so its error positions are lines of that text, not of the .wat file.
 */

const SNIPPET = /^(\s*);; @snippet ([\w-]+)\s*$/;
const END = /^\s*;; @end\s*$/;
const INSERT = /^(\s*);; @insert ([\w-]+) (\d+)\s*$/;

export function expandWatSnippets(source: string): string {
  const lines = source.split('\n');
  const snippets = new Map<string, { indent: string; body: string[] }>();
  for (let i = 0; i < lines.length; i++) {
    const start = SNIPPET.exec(lines[i]);
    if (!start) continue;
    const [, indent, name] = start;
    if (snippets.has(name)) throw new Error(`WAT snippet ${name} is defined twice`);
    const end = lines.findIndex((line, j) => j > i && END.test(line));
    if (end < 0) throw new Error(`WAT snippet ${name} has no ';; @end'`);
    snippets.set(name, { indent, body: lines.slice(i + 1, end) });
  }
  return lines
    .flatMap((line) => {
      if (SNIPPET.test(line) || END.test(line)) return [];
      const insert = INSERT.exec(line);
      if (!insert) return [line];
      const [, indent, name, count] = insert;
      const snippet = snippets.get(name);
      if (!snippet) throw new Error(`WAT snippet ${name} is inserted but never defined`);
      return Array.from({ length: Number(count) }, (_, k) => copyOf(snippet.body, snippet.indent, indent, k + 1)).flat();
    })
    .join('\n');
}

/** One copy of a snippet's lines: re-indented, with its own labels. */
function copyOf(body: readonly string[], fromIndent: string, toIndent: string, copy: number): string[] {
  const labels = new Set([...body.join('\n').matchAll(/\((?:block|loop) (\$[\w.]+)/g)].map((match) => match[1]));
  return body.map((line) => {
    let text = line.startsWith(fromIndent) ? toIndent + line.slice(fromIndent.length) : line;
    for (const label of labels) text = text.replace(new RegExp(`\\${label}(?![\\w.])`, 'g'), `${label}_${copy}`);
    return text;
  });
}
