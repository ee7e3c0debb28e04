import { expandImageInputs } from '../../io/image-inputs.ts';
import { DIHEDRAL_NAMES } from '../../pdq/dihedral.ts';
import { readImageSamples } from '../../io/image.ts';
import { computePdqDihedralOfBytes, computePdqOfBytes, PDQ_QUALITY_DISCARD_AT_OR_BELOW, type PdqDihedralHashes } from '../../pdq/pdq.ts';
import { bytePlaneForPdq } from '../../pdq/pdq-input.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import { defineCommand } from '../command.ts';

interface PdqFileResult {
  path: string;
  hash: string;
  quality: number;
  dihedral?: Record<string, string>;
}

/** PDQ hashes for case evidence, printed like the reference's pdq-photo-hasher: hash,quality,path. */
export const pdqCommand = defineCommand({
  name: 'pdq',
  summary: "PDQ perceptual hashes of images (Meta's ThreatExchange algorithm), with their quality",
  description:
    'Prints one line per file: hash,quality,path (as the reference pdq-photo-hasher does); with --dihedral, the hashes of ' +
    'the eight rotations/flips in the order ' +
    DIHEDRAL_NAMES.join(', ') +
    ', then quality and path (as its --pdqdih-across). ' +
    `Hashes of quality ${PDQ_QUALITY_DISCARD_AT_OR_BELOW} or less are unreliable (the reference discards them); they are flagged in a note.`,
  examples: ['acsr pdq --in evidence/', 'acsr pdq --in a.jpg b.png --dihedral --json'],
  options: {
    in: { type: 'string', multiple: true, required: true, valueName: 'FILES|DIR', description: 'image files, or directories of them' },
    recursive: { type: 'boolean', description: 'descend into sub-directories of directory inputs' },
    dihedral: { type: 'boolean', description: 'also print the hashes of the 8 rotations and flips' },
  },
  async run({ options, print, note, progress, signal }) {
    const files = await expandImageInputs(options.in, { recursive: options.recursive });
    const results: PdqFileResult[] = [];
    for (const [index, path] of files.entries()) {
      throwIfCancelled(signal);
      progress.report({ stage: 'pdq', fraction: index / files.length, message: path });
      const decoded = await readImageSamples(path);
      for (const line of decoded.notes) note(`${path}: ${line}`);
      const plane = bytePlaneForPdq(decoded);
      const result = options.dihedral ? withDihedral(path, computePdqDihedralOfBytes(plane)) : { path, ...computePdqOfBytes(plane) };
      if (result.quality <= PDQ_QUALITY_DISCARD_AT_OR_BELOW) note(`${path}: low quality ${result.quality}, hash unreliable`);
      const hashes = result.dihedral ? DIHEDRAL_NAMES.map((name) => result.dihedral![name]) : [result.hash];
      print([...hashes, result.quality, path].join(','));
      results.push(result);
    }
    progress.report({ stage: 'pdq', fraction: 1 });
    return { count: results.length, files: results };
  },
});

function withDihedral(path: string, hashes: PdqDihedralHashes): PdqFileResult {
  const dihedral: Record<string, string> = {};
  for (const name of DIHEDRAL_NAMES) dihedral[name] = hashes[name].hash;
  return { path, hash: hashes.original.hash, quality: hashes.original.quality, dihedral };
}
