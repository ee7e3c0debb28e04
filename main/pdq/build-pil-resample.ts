/**
 * Assembles pil-resample.wat into pil-resample-wasm.ts (base64), so the product needs no WAT
 * toolchain at run time. wabt is a devDependency. Run after editing the .wat:
 *   npm exec -- node --import tsx main/pdq/build-pil-resample.ts
 * test/pdq/pil-resample.test.ts checks the embedded bytes still match the source.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export const WAT_PATH = fileURLToPath(new URL('pil-resample.wat', import.meta.url));
const OUTPUT_PATH = fileURLToPath(new URL('pil-resample-wasm.ts', import.meta.url));

export async function assemblePilResample(): Promise<Uint8Array> {
  const wabt = await initWabt();
  const parsed = wabt.parseWat('pil-resample.wat', readFileSync(WAT_PATH, 'utf8'), { simd: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await assemblePilResample();
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g) ?? [];
  writeFileSync(
    OUTPUT_PATH,
    `// Generated from pil-resample.wat by build-pil-resample.ts; do not edit.\n` +
      `export const PIL_RESAMPLE_WASM_BASE64 =\n${lines.map((l) => `  '${l}'`).join(' +\n')};\n`,
  );
  console.log(`wrote ${OUTPUT_PATH} (${bytes.length} bytes of WASM)`);
}
