/**
 * How long the purification asked for will take, before it starts: measured on this case's
 * earlier purifications (with this bundle when it ran here before) and scaled by the selected
 * images' sizes; when nothing has been purified in the case yet, it says so instead of guessing.
 */
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { PurificationEstimate } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';

export function PurifyEstimate({ caseId, itemIds, bundleId }: { caseId: string; itemIds: number[]; bundleId: string }) {
  const client = useClient();
  const [estimate, setEstimate] = useState<PurificationEstimate | null>(null);
  const key = itemIds.join(',');
  useEffect(() => {
    let current = true;
    setEstimate(null);
    client.call('purification.estimate', { caseId, itemIds, bundleId }).then(
      (loaded) => current && setEstimate(loaded),
      // No estimate is no reason to stop a purification: the line stays empty.
      () => undefined,
    );
    return () => {
      current = false;
    };
    // itemIds by content (key): a new array with the same ids asks nothing new.
  }, [client, caseId, key, bundleId]);
  if (!estimate) return null;
  return (
    <Typography variant="body2" data-testid="purify-estimate" data-basis={estimate.basis}>
      {describeEstimate(estimate, itemIds.length)}
    </Typography>
  );
}

export function describeEstimate(estimate: PurificationEstimate, count: number): string {
  if (estimate.seconds === null || estimate.secondsPerImage === null)
    return 'No duration estimate yet: nothing has been purified in this case. The first purification measures how long an image takes on this machine.';
  const what = count === 1 ? 'this image' : `these ${count} images`;
  const runs = `${estimate.runsMeasured} earlier image${estimate.runsMeasured === 1 ? '' : 's'}`;
  const perImage = `about ${duration(estimate.secondsPerImage)} per image`;
  return estimate.basis === 'this-bundle'
    ? `Expected duration for ${what}: about ${duration(estimate.seconds)} (measured on the ${runs} of this case purified with this bundle, ${perImage}, scaled by image size).`
    : `Expected duration for ${what}: about ${duration(estimate.seconds)} (this bundle has not run in this case yet; with other bundles, ${perImage} on this machine over the ${runs}, scaled by image size).`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
