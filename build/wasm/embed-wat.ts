/**
 * Hand-written WebAssembly kernels live as .wat sources next to the code that uses them and ship
 * as base64 constants in generated .ts modules, so the product needs no WAT toolchain at run
 * time (wabt is a devDependency). Each kernel's build script is two lines over these helpers;
 * its test compares the embedded bytes with a fresh assembly of the source.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';
import { expandWatSnippets } from './wat-snippets.ts';

/** `threads` allows a shared (imported) memory, for kernels that worker threads run on one buffer. */
export async function assembleWat(watUrl: URL, features: { threads?: boolean } = {}): Promise<Uint8Array> {
  const watPath = fileURLToPath(watUrl);
  const wabt = await initWabt();
  const enabled = { simd: true, threads: features.threads === true };
  // unrolled loops are written once and copied here (wat-snippets.ts)
  const parsed = wabt.parseWat(path.basename(watPath), expandWatSnippets(readFileSync(watPath, 'utf8')), enabled);
  try {
    // validate() checks against its own feature set (the typings omit the parameter)
    (parsed as unknown as { validate(features: object): void }).validate(enabled);
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** Writes `export const <constantName> = '<base64>'` into outputUrl, 96 characters a line. */
export async function writeEmbeddedWasm(
  watUrl: URL,
  outputUrl: URL,
  constantName: string,
  generator: string,
  features: { threads?: boolean } = {},
): Promise<void> {
  const bytes = await assembleWat(watUrl, features);
  const lines =
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,96}/g) ?? [];
  const outputPath = fileURLToPath(outputUrl);
  writeFileSync(
    outputPath,
    `// Generated from ${path.basename(fileURLToPath(watUrl))} by ${generator}; do not edit.\n` +
      `export const ${constantName} =\n${lines.map((l) => `  '${l}'`).join(' +\n')};\n`,
  );
  console.log(`wrote ${outputPath} (${bytes.length} bytes of WASM)`);
}
