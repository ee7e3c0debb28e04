/**
 * A job's outputs besides progress (elbow curves, atom grids...): those it produced before the
 * screen opened (jobs.outputs) and each new one as it arrives (jobs.output), in the job's order.
 */
import { useEffect, useState } from 'react';
import type { JobOutput, JobOutputEvent } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';

export function useJobOutputs(jobId: number | null): JobOutput[] {
  const client = useClient();
  const { reportError } = useNotices();
  const [outputs, setOutputs] = useState<ReadonlyMap<number, JobOutput>>(new Map());

  useEffect(() => {
    setOutputs(new Map());
    if (jobId === null) return;
    // Indexes make the initial list and the live events idempotent wherever they cross.
    const merge = (events: JobOutputEvent[]) =>
      setOutputs((current) => {
        const next = new Map(current);
        for (const event of events) if (event.jobId === jobId) next.set(event.index, event.output);
        return next;
      });
    const unsubscribe = client.subscribe('jobs.output', (event) => merge([event]));
    client.call('jobs.outputs', { jobId }).then(merge, reportError);
    return unsubscribe;
  }, [client, reportError, jobId]);

  return [...outputs.entries()].sort(([a], [b]) => a - b).map(([, output]) => output);
}
