/**
 * Several runs of evasion-adaptive.ts on consecutive slices of the test images (same bundle, same
 * settings), taken together: their clean scores and attack outcomes pooled and summarised as one
 * run would. Writes evasion-adaptive.json (the pooled summary and the runs' own reports) and
 * evasion-adaptive.md into --out.
 *
 *   node --import tsx test/bench/evasion-adaptive-merge.ts --out DIR RUN.json RUN.json ...
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type AttackOutcome, adaptiveMarkdown, summarise } from './evasion-adaptive-summary.ts';

interface RunReport {
  readonly bundle: { manifestSha256: string };
  readonly data: string;
  readonly settings: unknown;
  readonly seconds: number;
  readonly calibration: { threshold: number };
  readonly clean: { index: number; score: number }[];
  readonly outcomes: AttackOutcome[];
}

const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
if (!values.out || positionals.length === 0) {
  console.error('usage: evasion-adaptive-merge.ts --out DIR RUN.json [RUN.json ...]');
  process.exit(2);
}
const runs: RunReport[] = await Promise.all(positionals.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as RunReport));
const [first] = runs;
for (const run of runs) {
  if (run.bundle.manifestSha256 !== first.bundle.manifestSha256) throw new RangeError(`${run.data}: another bundle than ${first.data}`);
  if (JSON.stringify(run.settings) !== JSON.stringify(first.settings)) throw new RangeError(`${run.data}: other settings than ${first.data}`);
}
const indices = runs.flatMap((run) => run.clean.map((c) => c.index));
if (new Set(indices).size !== indices.length) throw new RangeError('the runs share test images');
// the same attack and budget of every run, pooled
const outcomes: AttackOutcome[] = first.outcomes.map((outcome, k) => {
  const parts = runs.map((run) => run.outcomes[k]);
  if (parts.some((p) => p?.attack !== outcome.attack)) throw new RangeError(`the runs do not list the same attacks in the same order`);
  const images = parts.reduce((s, p) => s + p.images, 0);
  return {
    attack: outcome.attack,
    kind: outcome.kind,
    epsilon: outcome.epsilon,
    images,
    cleanCorrect: parts.reduce((s, p) => s + p.cleanCorrect, 0),
    fooled: parts.flatMap((p) => p.fooled),
    acsrCorrect: parts.reduce((s, p) => s + p.acsrCorrect, 0),
    dissimilarity: {
      mean: parts.reduce((s, p) => s + p.dissimilarity.mean * p.images, 0) / images,
      max: Math.max(...parts.map((p) => p.dissimilarity.max)),
    },
  };
});
const summary = summarise(
  runs.flatMap((run) => run.clean.map((c) => c.score)),
  outcomes,
  first.calibration,
);
const data = `Fashion-MNIST t10k images ${Math.min(...indices)}..${Math.max(...indices)} (${runs.map((r) => r.data.replace('Fashion-MNIST t10k images ', '')).join(', ')})`;
const seconds = runs.reduce((s, r) => s + r.seconds, 0);
await mkdir(values.out, { recursive: true });
await writeFile(path.join(values.out, 'evasion-adaptive.json'), `${JSON.stringify({ data, seconds, summary, runs }, null, 2)}\n`);
await writeFile(path.join(values.out, 'evasion-adaptive.md'), adaptiveMarkdown(summary, data, seconds));
console.log(adaptiveMarkdown(summary, data, seconds));
