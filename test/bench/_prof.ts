import { createFastRealFft2d } from '../../main/acsr/signal/fft/fast-real-fft2d.ts';
const H = +(process.argv[2] ?? 256),
  W = H,
  Wf = W / 2 + 1;
const fft: any = await createFastRealFft2d(H, W);
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
const time = (name: string, f: () => void, per = 1) => {
  const t: number[] = [];
  for (let r = 0; r < 25; r++) {
    const s = performance.now();
    for (let q = 0; q < 20; q++) f();
    t.push((performance.now() - s) / 20 / per);
  }
  console.log(name.padEnd(14), (med(t) * 1e3).toFixed(1), 'us');
};
for (const planes of [1, 64]) {
  const real = new Float32Array(new SharedArrayBuffer(4 * H * W * planes)),
    re = new Float32Array(new SharedArrayBuffer(4 * H * Wf * planes)),
    im = new Float32Array(new SharedArrayBuffer(4 * H * Wf * planes));
  for (let i = 0; i < real.length; i++) real[i] = Math.random();
  console.log('planes', planes);
  time('forward', () => fft.forward(real, re, im, planes), planes);
  time('inverse', () => fft.inverse(re, im, real, planes), planes);
}
const k = fft.kernels,
  heap = fft.heapF32;
const real = new Float32Array(H * W),
  re = new Float32Array(H * Wf),
  im = new Float32Array(H * Wf);
time('load real', () => heap.set(real, fft.rowsPointer >> 2));
time('rows', () => fft.transformRows(0));
time('transpose', () => k.transposeComplex(fft.rowsPointer, fft.columnsPointer, H, W / 2));
time('columns', () => fft.transformColumns(0));
time('colsToSplit', () => k.columnsToSplitRows(fft.columnsPointer, fft.stagingRePointer, fft.stagingImPointer, H, W / 2, Wf));
time('store re+im', () => {
  re.set(heap.subarray(fft.stagingRePointer >> 2, (fft.stagingRePointer >> 2) + H * Wf));
  im.set(heap.subarray(fft.stagingImPointer >> 2, (fft.stagingImPointer >> 2) + H * Wf));
});
time('dcFix', () => fft.storeDcAndNyquistColumns(re, im, 0));
time('splitToCols', () => k.splitRowsToColumns(fft.stagingRePointer, fft.stagingImPointer, fft.columnsPointer, H, W / 2, Wf, 0.5));
time('dcLoad', () => fft.loadDcAndNyquistColumns(re, im, 0, 1));
