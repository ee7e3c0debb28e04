/** What identifies a run: hashes of the evidence and the output, their PDQ hashes and distance, the bundle and the solver's outcome. */
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { PurificationRunView } from '../../main/ipc/contract/index.ts';
import { useCatalogueNames } from '../common/use-catalogue-names.ts';

const PDQ_BITS = 256;

export function RunFacts({ run }: { run: PurificationRunView }) {
  const names = useCatalogueNames();
  const rows: [string, string][] = [
    ['Evidence SHA-256', run.inputSha256],
    ['Purified SHA-256', run.outputSha256],
    ['Evidence PDQ', run.inputPdqHash],
    ['Purified PDQ', run.outputPdqHash],
    ['PDQ distance', `${run.pdqDistance} of ${PDQ_BITS} bits`],
    ['Reference bundle', names.bundle(run.bundleManifestSha256, run.bundleId)],
    ['Bundle details', `id ${run.bundleId}, manifest SHA-256 ${run.bundleManifestSha256.slice(0, 16)}…`],
    ['Sparse coding (CBPDN)', `${run.iterations} rounds, ${run.converged ? 'settled' : 'stopped at the round limit'}; ${(run.totalMs / 1000).toFixed(1)} s`],
    ['Run', `Run ${run.runId}, ${run.createdAt.slice(0, 19).replace('T', ' ')} UTC by ${run.examiner}`],
  ];
  return (
    <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.25 }} data-testid="run-facts">
      {rows.map(([label, value]) => (
        <Box key={label} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="caption" color="text.secondary">
            {label}
          </Typography>
          <Typography component="dd" variant="caption" sx={{ m: 0, fontFamily: /SHA|PDQ/.test(label) ? 'monospace' : undefined, overflowWrap: 'anywhere' }}>
            {value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
