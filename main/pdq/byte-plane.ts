/** 8-bit samples, rows x cols x channels, interleaved. */
export interface BytePlane {
  rows: number;
  cols: number;
  channels: number;
  data: Uint8Array;
}
