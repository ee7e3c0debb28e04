/**
 * SPORCO 0.2.2 (NumPy FFT) on one of this project's 2-core machines, 256x256 RGB, 64 atoms. A
 * recorded constant, not a measurement of this run (SPORCO needs Python packages this machine
 * may not have): the output says so, and --sporco-ms replaces it with a figure measured alongside.
 */
export const SPORCO_RECORDED_MS_PER_ITERATION_256_RGB = { multiChannelDictionary: 540, sharedDictionary: 790 } as const;
export const SPORCO_RECORDED_SOURCE = 'recorded constant (SPORCO 0.2.2, NumPy FFT, 2-core machine; not measured in this run)';
