/**
 * Known-content matching at scale: 1,000,000 PDQ list hashes (random, plus near copies planted
 * around some items) against 10,000 items x their 8 dihedral variants, threshold 31.
 *
 *   npm exec --offline -- node --import tsx test/bench/pdq-index-bench.ts [--runs=3] [--compare]
 *
 * Reports, as medians over the runs: reading the list from a CSV file (streamed parse), the
 * match (the bucket join of pdq-bucket-join.ts, sorting included; single thread), and the memory held by the
 * parsed list; index build is the single-hash multi-index over the item variants. A sample of items is checked against a brute-force scan
 * of the whole list, and the reverse layout (the million list hashes indexed, the variants
 * looked up) is timed once with --compare. Last line: the figures as JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DIHEDRAL_NAMES } from '../../main/pdq/dihedral.ts';
import { PDQ_WORDS, packedDistance, unpackPdqHex } from '../../main/triage/packed-pdq.ts';
import { matchPdqList, type PdqListMatch } from '../../main/triage/pdq-matching.ts';
import { PdqMultiIndex } from '../../main/triage/pdq-multi-index.ts';
import type { HashList } from '../../main/triage/hash-list.ts';
import { readHashListFile } from '../../main/triage/read-hash-list.ts';
import { flipPositions, plantNear, randomHashes, seededRandom } from '../triage/random-pdq.ts';

const LIST_SIZE = 1_000_000;
const ITEMS = 10_000;
const VARIANTS = DIHEDRAL_NAMES.length;
const PLANTED = 2_000; // list hashes planted near some item's variant
const THRESHOLD = 31;
const SAMPLE_ITEMS = 20;
const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice(7) ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

const random = seededRandom(7);
const variants = randomHashes(ITEMS * VARIANTS, random);
const listWords = randomHashes(LIST_SIZE, random);
for (let p = 0; p < PLANTED; p++) {
  const query = Math.floor(random() * ITEMS * VARIANTS);
  const distance = Math.floor(random() * 41); // 0..40: some inside the threshold, some outside
  plantNear(variants, query, listWords, Math.floor(random() * LIST_SIZE), flipPositions(distance, random() < 0.5 ? 'even' : 'anywhere', random));
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'pdq-index-bench-'));
const listFile = path.join(folder, 'list.csv');
const lines = ['pdq,category,source'];
for (let k = 0; k < LIST_SIZE; k++) lines.push(`${unpackPdqHex(listWords, k * PDQ_WORDS)},known,bench`);
writeFileSync(listFile, lines.join('\n') + '\n');
lines.length = 0;

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, load average ${os.loadavg()[0].toFixed(2)}, ${runs} runs (median)`,
);
const parseMs: number[] = [];
const buildMs: number[] = [];
const matchMs: number[] = [];
let listHeldMb = 0;
let indexMb = 0;
let matches: PdqListMatch[] = [];
// A full collection before and after the parse, so the figure is what the parsed list keeps.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
// Holds the latest parse only: emptied before each parse so the previous list can be collected.
const parsed: HashList[] = [];
for (let run = 0; run < runs; run++) {
  parsed.length = 0;
  collectGarbage();
  const before = process.memoryUsage();
  let start = performance.now();
  parsed.push(await readHashListFile(listFile));
  parseMs.push(performance.now() - start);
  collectGarbage();
  const after = process.memoryUsage();
  // The first run only: a dropped list's buffers are released by finalizers some collections
  // later, so later runs' "before" may still count the previous list.
  if (run === 0) listHeldMb = mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers);
  start = performance.now();
  const index = new PdqMultiIndex(variants, ITEMS * VARIANTS);
  buildMs.push(performance.now() - start);
  indexMb = mb(index.indexBytes + variants.byteLength);
  start = performance.now();
  matches = matchPdqList({ words: variants, count: ITEMS * VARIANTS }, parsed[0].pdq, THRESHOLD);
  matchMs.push(performance.now() - start);
  console.log(
    `run ${run + 1}: parse ${parseMs.at(-1)!.toFixed(0)} ms, index build ${buildMs.at(-1)!.toFixed(0)} ms, match (build + scan) ${matchMs.at(-1)!.toFixed(0)} ms, ${matches.length} matches`,
  );
}
const list = parsed[0];
if (list.counts.pdq !== LIST_SIZE) throw new Error(`parsed ${list.counts.pdq} PDQ hashes, expected ${LIST_SIZE}`);

// Brute force for a sample of items, including every item that has a planted neighbour.
const matchedItems = [...new Set(matches.map((match) => match.item))];
const sample = [...matchedItems.slice(0, SAMPLE_ITEMS / 2), ...Array.from({ length: SAMPLE_ITEMS / 2 }, (_, k) => k * 997)];
let checked = 0;
for (const item of sample) {
  const expected: string[] = [];
  for (let row = 0; row < LIST_SIZE; row++) {
    let best = Infinity;
    for (let v = 0; v < VARIANTS; v++) best = Math.min(best, packedDistance(list.pdq.words, row * PDQ_WORDS, variants, (item * VARIANTS + v) * PDQ_WORDS));
    if (best <= THRESHOLD) expected.push(`${row}:${best}`);
  }
  const got = matches.filter((match) => match.item === item).map((match) => `${match.row}:${match.distance}`);
  if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`item ${item}: index gave ${got}, brute force ${expected}`);
  checked += expected.length;
}
console.log(`brute force agrees on ${sample.length} items (${checked} matches among them)`);

// With --compare, the lookup layout once: the million list hashes indexed, each variant looked up.
const compare = process.argv.includes('--compare');
let start = performance.now();
const listIndex = new PdqMultiIndex(compare ? list.pdq.words : new Uint32Array(0), compare ? list.pdq.count : 0);
const reverseBuildMs = performance.now() - start;
start = performance.now();
let reverseMatches = 0;
for (let q = 0; compare && q < ITEMS * VARIANTS; q++) listIndex.forEachWithin(variants, q * PDQ_WORDS, THRESHOLD, () => reverseMatches++);
const reverseQueryMs = performance.now() - start;
if (compare)
  console.log(
    `lookup layout (list indexed, ${mb(listIndex.indexBytes)} MB): build ${reverseBuildMs.toFixed(0)} ms, 80,000 lookups ${reverseQueryMs.toFixed(0)} ms, ${reverseMatches} variant matches`,
  );
rmSync(folder, { recursive: true, force: true });

const result = {
  bench: 'pdq-index',
  node: process.version,
  loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  runs,
  listHashes: LIST_SIZE,
  items: ITEMS,
  variantsPerItem: VARIANTS,
  threshold: THRESHOLD,
  parseMsMedian: Math.round(median(parseMs)),
  indexBuildMsMedian: Math.round(median(buildMs)),
  matchMsMedian: Math.round(median(matchMs)),
  matches: matches.length,
  parsedListHeldMb: listHeldMb,
  itemIndexMb: indexMb,
  peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  bruteForceCheckedItems: sample.length,
  lookupLayout: !compare ? null : { buildMs: Math.round(reverseBuildMs), queryMs: Math.round(reverseQueryMs), indexMb: mb(listIndex.indexBytes) },
};
console.log(
  `median: parse ${result.parseMsMedian} ms, match ${result.matchMsMedian} ms (index build ${result.indexBuildMsMedian} ms); list held ${listHeldMb} MB, item index ${indexMb} MB, peak RSS ${result.peakRssMb} MB`,
);
console.log(JSON.stringify(result));
