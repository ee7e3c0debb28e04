/**
 * Importing a hash list of 1,000,000 PDQ hashes into a workspace database, as `acsr hashlist
 * import` does: the file is read and parsed as a stream (never one string), then stored in one
 * transaction; then the stored hashes are loaded back for matching.
 *
 *   npm exec --offline -- node --import tsx test/bench/hashlist-import-bench.ts [--hashes=1000000]
 *
 * Reports the time of each step, the longest the event loop waited during the parse (the parse
 * yields between 1 MB chunks; the store is one synchronous transaction, so its whole duration is
 * the time a thread doing it is busy), the memory the parsed list holds, the peak RSS of the
 * process and the database's size. Last line: the figures as JSON.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PDQ_WORDS, unpackPdqHex } from '../../main/triage/packed-pdq.ts';
import { readHashListFile } from '../../main/triage/read-hash-list.ts';
import { WorkspaceDatabase, WORKSPACE_DATABASE_FILE } from '../../main/workspace/workspace-database.ts';
import { randomHashes, seededRandom } from '../triage/random-pdq.ts';

const HASHES = Number(process.argv.find((arg) => arg.startsWith('--hashes='))?.slice(9) ?? 1_000_000);
const BATCH = 10_000;
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const folder = mkdtempSync(path.join(os.tmpdir(), 'hashlist-import-bench-'));
const listFile = path.join(folder, 'known.csv');
// Written in batches, so that making the file does not itself raise the peak memory measured.
const random = seededRandom(11);
const fd = openSync(listFile, 'w');
writeSync(fd, 'pdq,category,source\n');
for (let at = 0; at < HASHES; at += BATCH) {
  const count = Math.min(BATCH, HASHES - at);
  const words = randomHashes(count, random);
  let text = '';
  for (let k = 0; k < count; k++) text += `${unpackPdqHex(words, k * PDQ_WORDS)},CAT-${1 + ((at + k) % 3)},bench source ${(at + k) % 97}\n`;
  writeSync(fd, text);
}
closeSync(fd);
const fileMb = mb(statSync(listFile).size);

collectGarbage();
const before = process.memoryUsage();
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let start = performance.now();
const list = await readHashListFile(listFile);
const readMs = performance.now() - start;
delay.disable();
collectGarbage();
const after = process.memoryUsage();
const parsedListMb = mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers);

const workspace = WorkspaceDatabase.open(path.join(folder, 'workspace'));
start = performance.now();
const record = workspace.hashLists.record(list, { name: 'bench', fileName: 'known.csv', examiner: 'bench' });
const storeMs = performance.now() - start;
start = performance.now();
const loaded = workspace.hashLists.pdqHashes();
const loadMs = performance.now() - start;
workspace.close();
if (record.counts.pdq !== HASHES || loaded.count !== HASHES) throw new Error(`stored ${record.counts.pdq}, loaded ${loaded.count}, expected ${HASHES}`);
const databaseMb = mb(statSync(path.join(folder, 'workspace', WORKSPACE_DATABASE_FILE)).size);
rmSync(folder, { recursive: true, force: true });

const result = {
  bench: 'hashlist-import',
  node: process.version,
  loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  pdqHashes: HASHES,
  fileMb,
  readMs: Math.round(readMs),
  readLongestEventLoopWaitMs: Math.round(delay.max / 1e6),
  storeMs: Math.round(storeMs),
  loadForMatchingMs: Math.round(loadMs),
  parsedListHeldMb: parsedListMb,
  peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  databaseMb,
};
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, load average ${result.loadAverage1m}`);
console.log(
  `${HASHES} PDQ hashes (${fileMb} MB file): read+parse ${result.readMs} ms (longest event-loop wait ${result.readLongestEventLoopWaitMs} ms), ` +
    `store ${result.storeMs} ms, load for matching ${result.loadForMatchingMs} ms; parsed list holds ${parsedListMb} MB, peak RSS ${result.peakRssMb} MB, database ${databaseMb} MB`,
);
console.log(JSON.stringify(result));
