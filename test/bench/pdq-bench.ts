/**
 * PDQ hashing speed on the shared photos: median ms per image, split into decoding (sharp, as
 * computePdqOfFile does) and hashing a decoded raster (thumbnail + filter + DCT + bits), and the
 * dihedral variant for comparison.
 *
 *   npx node --import tsx test/bench/pdq-bench.ts [--runs=7]
 *
 * Last line: the same figures as JSON.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImage } from '../../main/io/image.ts';
import { computePdq, computePdqDihedral } from '../../main/pdq/pdq.ts';

const photosDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/photos');
const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice(7) ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
}

async function main(): Promise<void> {
  const files = readdirSync(photosDir).filter((name) => /\.(png|jpe?g)$/i.test(name)).sort();
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, ${runs} runs (median)`);
  console.log('file                                 size        decode ms   hash ms   dihedral ms');
  const rows: Row[] = [];
  for (const file of files) {
    const full = path.join(photosDir, file);
    const image = await readImage(full, { channels: 'rgb', precision: 'float32' });
    computePdq(image); // warm-up: JIT, not timed
    const decode: number[] = [];
    const hash: number[] = [];
    const dihedral: number[] = [];
    for (let run = 0; run < runs; run++) {
      decode.push(await time(() => readImage(full, { channels: 'rgb', precision: 'float32' })));
      hash.push(await time(() => computePdq(image)));
      dihedral.push(await time(() => computePdqDihedral(image)));
    }
    const row = { file, width: image.width, height: image.height, decodeMs: median(decode), hashMs: median(hash), dihedralMs: median(dihedral) };
    rows.push(row);
    console.log(
      `${file.padEnd(36)} ${`${row.width}x${row.height}`.padEnd(11)} ${row.decodeMs.toFixed(1).padStart(9)} ${row.hashMs.toFixed(1).padStart(9)} ${row.dihedralMs.toFixed(1).padStart(13)}`,
    );
  }
  const overall = {
    decodeMs: median(rows.map((row) => row.decodeMs)),
    hashMs: median(rows.map((row) => row.hashMs)),
    totalMs: median(rows.map((row) => row.decodeMs + row.hashMs)),
  };
  console.log(`median over ${rows.length} photos: decode ${overall.decodeMs.toFixed(1)} ms, hash ${overall.hashMs.toFixed(1)} ms, file to hash ${overall.totalMs.toFixed(1)} ms`);
  console.log(JSON.stringify({ bench: 'pdq', node: process.version, runs, overall, results: rows }));
}

await main();
