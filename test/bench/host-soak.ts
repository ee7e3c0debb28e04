/**
 * Soak of `acsr serve` under malformed loopback traffic for a set time, with a valid page served
 * throughout and an import running at the start:
 *
 *   npm exec --offline -- node --import tsx test/bench/host-soak.ts --minutes 10 [--seed N] [--concurrency 8]
 *
 * The malformed cases are the fuzz test's (test/host/support/malformed-cases.ts), drawn without
 * end from the seed. Passes (exit 0) when the host is still up at the end, every case was
 * handled as the protocol says, every call of the valid page was answered correctly, and the
 * import completed; prints its figures as one JSON line last. Not a *-bench.ts on purpose:
 * `npm run bench` does not run it, it takes as long as it is told to.
 */
import { readdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';
import { runMalformedTraffic, type TrafficReport } from '../host/support/malformed-traffic.ts';
import { connectValidClient, startServeProcess, waitForJob } from '../host/support/serve-process.ts';
import { photosDir } from '../support/shared-data.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string', default: '20260517' }, concurrency: { type: 'string', default: '8' } },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
if (!(minutes > 0) || !Number.isInteger(seed) || !(concurrency >= 1)) {
  console.error('host-soak: --minutes must be positive, --seed an integer, --concurrency at least 1');
  process.exit(2);
}

const host = await startServeProcess();
const failures: string[] = [];
const client = await connectValidClient(host);
const latenciesMs: number[] = [];
const valid = { calls: 0, correct: 0 };
const rss = { startMiB: host.rssMiB(), peakMiB: host.rssMiB() ?? 0 };
let report: TrafficReport | undefined;
try {
  await client.call('app.setExaminer', { name: 'S. Oak' });
  await client.call('cases.create', { number: 'SOAK-1', title: 'Host under a long siege' });
  const started = await client.call('jobs.start', { kind: 'import', caseId: 'SOAK-1', sources: [photosDir] });
  if (!started.ok) throw new Error(`the import did not start: ${JSON.stringify(started)}`);

  const until = Date.now() + minutes * 60_000;
  const began = Date.now();
  const validPage = (async () => {
    while (Date.now() < until) {
      valid.calls++;
      const sentAt = performance.now();
      const state = await client.call('app.state', {});
      latenciesMs.push(performance.now() - sentAt);
      if (state.ok && (state.value as { examiner: string | null }).examiner === 'S. Oak') valid.correct++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const progress = setInterval(() => {
    const now = host.rssMiB();
    if (now !== null) rss.peakMiB = Math.max(rss.peakMiB, now);
    console.error(`host-soak: ${((Date.now() - began) / 60_000).toFixed(1)} min, valid calls ${valid.correct}/${valid.calls}, host RSS ${now} MiB`);
  }, 30_000);
  report = await runMalformedTraffic({ host: { port: host.port, origin: host.origin, token: host.token }, seed, until, concurrency });
  clearInterval(progress);
  await validPage;

  if (host.child.exitCode !== null || host.child.signalCode !== null) failures.push(`acsr serve ended: ${host.stderr()}`);
  if (report.problemCount > 0) failures.push(`${report.problemCount} cases mishandled, first: ${report.problems.join('; ')}`);
  if (valid.correct !== valid.calls) failures.push(`${valid.calls - valid.correct} of ${valid.calls} valid calls not answered correctly`);
  const job = await waitForJob(client, (started.value as JobSnapshot).jobId, 120_000);
  const photoCount = (await readdir(photosDir)).length;
  if (job?.state !== 'completed' || job.summary?.imported !== photoCount)
    failures.push(`the import did not complete with ${photoCount} photos: ${JSON.stringify(job)}`);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  client.close();
}
const endMiB = host.rssMiB();
await host.stop();

latenciesMs.sort((a, b) => a - b);
const quantile = (q: number) => Math.round(latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))] ?? NaN);
console.log(
  JSON.stringify({
    name: 'host-soak',
    ok: failures.length === 0,
    minutes,
    seed,
    concurrency,
    malformedCases: report?.cases ?? 0,
    casesMishandled: report?.problemCount ?? null,
    validCalls: valid.calls,
    validCallsAnsweredCorrectly: valid.correct,
    validCallMs: { p50: quantile(0.5), p99: quantile(0.99), max: Math.round(latenciesMs.at(-1) ?? NaN) },
    hostRssMiB: { start: rss.startMiB, peak: Math.max(rss.peakMiB, endMiB ?? 0), end: endMiB },
    failures,
  }),
);
process.exit(failures.length === 0 ? 0 : 1);
