/** Every job the host knows, kept current from the jobs.changed event stream. */
import { useEffect, useState } from 'react';
import type { JobSnapshot } from '../../main/ipc/contract/index.ts';
import { useClient } from '../app/client-context.tsx';
import { useNotices } from '../app/notices.tsx';

export function useJobs(): JobSnapshot[] {
  const client = useClient();
  const { reportError } = useNotices();
  const [jobs, setJobs] = useState<ReadonlyMap<number, JobSnapshot>>(new Map());

  useEffect(() => {
    const merge = (snapshot: JobSnapshot) =>
      setJobs((current) => {
        const known = current.get(snapshot.jobId);
        // Events and the initial list may cross; a finished state is never replaced by an older one.
        if (known?.finishedAt && !snapshot.finishedAt) return current;
        return new Map(current).set(snapshot.jobId, snapshot);
      });
    const unsubscribe = client.subscribe('jobs.changed', merge);
    client.call('jobs.list', {}).then((list) => list.forEach(merge), reportError);
    return unsubscribe;
  }, [client, reportError]);

  return [...jobs.values()].sort((a, b) => b.jobId - a.jobId);
}
