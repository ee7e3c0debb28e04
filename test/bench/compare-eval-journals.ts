/**
 * One defense in two evaluations of the same images, paired image by image: what changing a
 * setting (the CBPDN iteration cap, the robust extractor) did to accuracy, per row, with
 * McNemar's exact test. The attacks must be the same in both runs (they are crafted against the
 * undefended classifier, deterministically): each attacked image's adversarial label and size are
 * compared first, and the script stops if they differ.
 *
 *   node --import tsx test/bench/compare-eval-journals.ts BASELINE_DIR[:DEFENSE] CHANGED_DIR[:DEFENSE] [--out FILE.md]
 *
 * Each DIR is an `acsr eval --out` folder (journal.jsonl or journal.jsonl.gz); DEFENSE defaults to acsr.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { JournalUnit, SampleOutcome } from '../../main/acsr/evaluation/evaluation-journal.ts';
import { mcNemarExact } from '../../main/acsr/evaluation/mcnemar-test.ts';

interface Side {
  readonly label: string;
  readonly defense: string;
  readonly description: string;
  readonly byRow: Map<string, Map<number, SampleOutcome>>;
}

function readSide(argument: string): Side {
  const [dir, defense = 'acsr'] = argument.split(':');
  const plain = path.join(dir, 'journal.jsonl');
  const text = existsSync(plain) ? readFileSync(plain, 'utf8') : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.trim());
  const configuration = JSON.parse(header).configuration as { defenses: { name: string; description: string }[] };
  const described = configuration.defenses.find((d) => d.name === defense);
  if (!described) throw new Error(`${dir} has no defense '${defense}' (it has ${configuration.defenses.map((d) => d.name).join(', ')})`);
  const byRow = new Map<string, Map<number, SampleOutcome>>();
  for (const line of lines) {
    const unit = JSON.parse(line) as JournalUnit;
    const row = byRow.get(unit.row) ?? new Map<number, SampleOutcome>();
    for (const outcome of unit.outcomes) row.set(outcome.sample, outcome);
    byRow.set(unit.row, row);
  }
  return { label: path.basename(dir), defense, description: described.description, byRow };
}

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');
const outIndex = process.argv.indexOf('--out');
if (positional.length !== 2) {
  console.error('usage: compare-eval-journals.ts BASELINE_DIR[:DEFENSE] CHANGED_DIR[:DEFENSE] [--out FILE.md]');
  process.exit(2);
}
const [baseline, changed] = positional.map(readSide);
const predicted = (outcome: SampleOutcome, defense: string) => outcome.defended.find((d) => d.defense === defense)?.predicted;

const lines = [
  `Paired comparison, image by image: **${baseline.defense}** in \`${baseline.label}\` (${baseline.description})`,
  `against **${changed.defense}** in \`${changed.label}\` (${changed.description}).`,
  '',
  '| row | images | baseline right | changed right | right only in baseline (b) | right only in changed (c) | McNemar exact p |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
for (const [row, ours] of baseline.byRow) {
  const theirs = changed.byRow.get(row);
  if (!theirs) continue;
  let n = 0;
  let rightBaseline = 0;
  let rightChanged = 0;
  let b = 0;
  let c = 0;
  for (const [sample, outcome] of ours) {
    const other = theirs.get(sample);
    if (!other) continue;
    if (outcome.label !== other.label) throw new Error(`${row} image ${sample}: labels differ: not the same images`);
    if (
      outcome.attack &&
      other.attack &&
      (outcome.attack.adversarialLabel !== other.attack.adversarialLabel || outcome.attack.dissimilarity !== other.attack.dissimilarity)
    ) {
      throw new Error(`${row} image ${sample}: the attacked images differ between the runs`);
    }
    const first = predicted(outcome, baseline.defense) === outcome.label;
    const second = predicted(other, changed.defense) === other.label;
    n++;
    if (first) rightBaseline++;
    if (second) rightChanged++;
    if (first && !second) b++;
    if (second && !first) c++;
  }
  const p = mcNemarExact(b, c).exactP;
  lines.push(`| ${row} | ${n} | ${rightBaseline} | ${rightChanged} | ${b} | ${c} | ${p.toFixed(3)} |`);
}
lines.push('', 'Same attacked images in both runs: checked (adversarial label and size of every attacked image).');
const markdown = lines.join('\n') + '\n';
process.stdout.write(markdown);
if (outIndex > 0) writeFileSync(process.argv[outIndex + 1], markdown);
