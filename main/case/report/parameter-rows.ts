/**
 * Recorded parameters (a purification run's settings, an audit entry's details) as rows a reader
 * can scan: one setting per row, labelled in words, nested groups indented under their name,
 * lists written out. The JSON report keeps them exactly as recorded; this is only how they print.
 */

export interface ParameterRow {
  label: string;
  /** Empty for a row that names a group whose members follow, one level deeper. */
  value: string;
  depth: number;
}

/** Words for the settings a reviewer meets most; anything else is its name split into words. */
const LABELS: Record<string, string> = {
  cbpdn: 'Sparse coding (CBPDN)',
  converged: 'Converged',
  iterations: 'Iterations run',
  objective: 'Final objective',
  tiles: 'Tiles',
  components: 'Stored image components',
  encoding: 'Encoding',
  parts: 'Parts',
  reconstructedHigh: 'Reconstructed fine detail',
  high: 'Fine detail',
  low: 'Coarse part',
  difference: 'Difference',
  sha256: 'SHA-256',
  md5: 'MD5',
  pdqHash: 'PDQ hash',
  pdqQuality: 'PDQ quality',
  storePath: 'Stored as',
  cscLambda: 'Sparsity weight (CBPDN lambda)',
  tikhonovLambda: 'Smoothing weight (Tikhonov lambda)',
  extractor: 'Feature extractor',
  id: 'Id',
  weightsSha256: 'Weights SHA-256',
  inputChannels: 'Input channels',
  inputDecodeNotes: 'Decoding notes',
  maxIterations: 'Iteration cap',
  nearestClusterId: 'Nearest cluster',
  usedClusterId: 'Cluster used',
  seedMeaning: 'About the seed',
  tileMargin: 'Tile margin',
  tileSize: 'Tile size',
  tolerance: 'Convergence tolerance',
  threads: 'Worker threads',
  originalPath: 'Original path',
  originalName: 'File name',
  sizeBytes: 'Size (bytes)',
  mediaType: 'Type',
  decodeNotes: 'Decoding notes',
  jobId: 'Job number',
  itemIds: 'Item numbers',
  reportId: 'Report row',
  format: 'Format',
  path: 'Path',
  reason: 'Reason',
  examiner: 'Examiner',
  bundlePath: 'Reference bundle folder',
  bundleId: 'Reference bundle',
  bundleManifestSha256: 'Bundle manifest SHA-256',
  classifier: 'Content filter',
  clusterOverride: 'Cluster override',
  cluster: 'Cluster',
};

export function parameterLabel(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Scalars as text; lists of scalars comma-separated; an empty list or object says so. */
function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every((entry) => entry === null || typeof entry !== 'object')) return value.map((entry) => scalarText(entry)).join(', ');
    return null;
  }
  if (typeof value === 'object' && Object.keys(value).length === 0) return 'none';
  return null;
}

export function parameterRows(parameters: unknown, skip: readonly string[] = [], depth = 0): ParameterRow[] {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    return [{ label: depth === 0 ? 'Value' : '', value: scalarText(parameters) ?? '', depth }];
  }
  const rows: ParameterRow[] = [];
  for (const [key, value] of Object.entries(parameters as Record<string, unknown>)) {
    if (skip.includes(key)) continue;
    const label = parameterLabel(key);
    const text = scalarText(value);
    if (text !== null) {
      rows.push({ label, value: text, depth });
    } else if (Array.isArray(value)) {
      rows.push({ label, value: '', depth });
      value.forEach((entry, index) => {
        const scalar = scalarText(entry);
        if (scalar !== null) rows.push({ label: `${index + 1}.`, value: scalar, depth: depth + 1 });
        else {
          rows.push({ label: `${index + 1}.`, value: '', depth: depth + 1 });
          rows.push(...parameterRows(entry, [], depth + 2));
        }
      });
    } else {
      rows.push({ label, value: '', depth });
      rows.push(...parameterRows(value, [], depth + 1));
    }
  }
  return rows;
}
