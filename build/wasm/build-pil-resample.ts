/**
 * Assembles pil-resample.wat into pil-resample-wasm.ts. Run after editing the .wat:
 *   npm exec -- node --import tsx build/wasm/build-pil-resample.ts
 * test/pdq/pil-resample.test.ts checks the embedded bytes still match the source.
 */
import { fileURLToPath } from 'node:url';
import { assembleWat, writeEmbeddedWasm } from './embed-wat.ts';

const WAT = new URL('../../main/pdq/pil-resample.wat', import.meta.url);

export const assemblePilResample = (): Promise<Uint8Array> => assembleWat(WAT);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeEmbeddedWasm(WAT, new URL('../../main/pdq/pil-resample-wasm.ts', import.meta.url), 'PIL_RESAMPLE_WASM_BASE64', 'build-pil-resample.ts');
}
