/**
 * PDQ hashing speed on the shared photos: median per image, split into decoding (8-bit samples,
 * as computePdqOfFile and the case import do) and hashing them (thumbnail + filter + DCT + bits),
 * the dihedral variant, and hashing a decoded [0, 1] float raster (computePdq, as callers holding
 * a ImageArray do: it converts back to bytes first).
 *
 *   npx node --import tsx test/bench/pdq-bench.ts [--runs=7]
 *
 * Wall-clock milliseconds, plus CPU milliseconds for decode + hash (all threads of the process),
 * which say more than wall-clock time on a machine shared with other work.
 * Last line: the same figures as JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage, decodeImageSamples } from '../../main/io/image.ts';
import { computePdq, computePdqDihedralOfBytes, computePdqOfBytes } from '../../main/pdq/pdq.ts';
import { bytePlaneForPdq } from '../../main/pdq/pdq-input.ts';

const photosDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/photos');
const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice(7) ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function time(action: () => unknown): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

interface Row {
  file: string;
  width: number;
  height: number;
  decodeMs: number;
  hashMs: number;
  dihedralMs: number;
  rasterHashMs: number;
  cpuMs: number;
}

async function main(): Promise<void> {
  const files = readdirSync(photosDir)
    .filter((name) => /\.(png|jpe?g)$/i.test(name))
    .sort();
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, load average ${os.loadavg()[0].toFixed(2)}, ${runs} runs (median)`,
  );
  console.log('file                                 size        decode ms   hash ms   dihedral ms   raster hash ms   CPU ms');
  const rows: Row[] = [];
  for (const file of files) {
    const bytes = readFileSync(path.join(photosDir, file));
    const samples = await decodeImageSamples(bytes);
    const raster = await decodeImage(bytes, { channels: 'rgb', precision: 'float32' });
    computePdqOfBytes(bytePlaneForPdq(samples)); // warm-up: JIT, not timed
    computePdq(raster);
    const decode: number[] = [];
    const hash: number[] = [];
    const dihedral: number[] = [];
    const rasterHash: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const cpuBefore = cpuMs();
      let decoded = samples;
      decode.push(await time(async () => (decoded = await decodeImageSamples(bytes))));
      hash.push(await time(() => computePdqOfBytes(bytePlaneForPdq(decoded))));
      cpu.push(cpuMs() - cpuBefore);
      dihedral.push(await time(() => computePdqDihedralOfBytes(bytePlaneForPdq(decoded))));
      rasterHash.push(await time(() => computePdq(raster)));
    }
    const row: Row = {
      file,
      width: samples.width,
      height: samples.height,
      decodeMs: median(decode),
      hashMs: median(hash),
      dihedralMs: median(dihedral),
      rasterHashMs: median(rasterHash),
      cpuMs: median(cpu),
    };
    rows.push(row);
    console.log(
      `${file.padEnd(36)} ${`${row.width}x${row.height}`.padEnd(11)} ${row.decodeMs.toFixed(1).padStart(9)} ${row.hashMs.toFixed(1).padStart(9)} ` +
        `${row.dihedralMs.toFixed(1).padStart(13)} ${row.rasterHashMs.toFixed(1).padStart(16)} ${row.cpuMs.toFixed(1).padStart(8)}`,
    );
  }
  const overall = {
    decodeMs: median(rows.map((row) => row.decodeMs)),
    hashMs: median(rows.map((row) => row.hashMs)),
    totalMs: median(rows.map((row) => row.decodeMs + row.hashMs)),
    rasterHashMs: median(rows.map((row) => row.rasterHashMs)),
    cpuMs: median(rows.map((row) => row.cpuMs)),
  };
  console.log(
    `median over ${rows.length} photos: decode ${overall.decodeMs.toFixed(1)} ms, hash ${overall.hashMs.toFixed(1)} ms, file to hash ${overall.totalMs.toFixed(1)} ms ` +
      `(${overall.cpuMs.toFixed(1)} CPU ms); hashing a float raster ${overall.rasterHashMs.toFixed(1)} ms`,
  );
  console.log(JSON.stringify({ bench: 'pdq', node: process.version, loadAverage1m: Number(os.loadavg()[0].toFixed(2)), runs, overall, results: rows }));
}

await main();
