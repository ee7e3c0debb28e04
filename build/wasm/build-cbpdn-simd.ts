/**
 * Assembles cbpdn-simd.wat into cbpdn-simd-wasm.ts. Run after editing the .wat:
 *   npm exec -- node --import tsx build/wasm/build-cbpdn-simd.ts
 */
import { fileURLToPath } from 'node:url';
import { assembleWat, writeEmbeddedWasm } from './embed-wat.ts';

const WAT = new URL('../../main/acsr/signal/simd/cbpdn-simd.wat', import.meta.url);

export const assembleCbpdnSimd = (): Promise<Uint8Array> => assembleWat(WAT, { threads: true });

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeEmbeddedWasm(WAT, new URL('../../main/acsr/signal/simd/cbpdn-simd-wasm.ts', import.meta.url), 'CBPDN_SIMD_WASM_BASE64', 'build-cbpdn-simd.ts', {
    threads: true,
  });
}
