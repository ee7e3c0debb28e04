/**
 * Assembles layout-kernels.wat into layout-kernels-wasm.ts. Run after editing the .wat:
 *   npm exec -- node --import tsx build/wasm/build-layout-kernels.ts
 */
import { fileURLToPath } from 'node:url';
import { assembleWat, writeEmbeddedWasm } from './embed-wat.ts';

const WAT = new URL('../../main/acsr/signal/fft/layout-kernels.wat', import.meta.url);

export const assembleLayoutKernels = (): Promise<Uint8Array> => assembleWat(WAT);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeEmbeddedWasm(
    WAT,
    new URL('../../main/acsr/signal/fft/layout-kernels-wasm.ts', import.meta.url),
    'LAYOUT_KERNELS_WASM_BASE64',
    'build-layout-kernels.ts',
  );
}
