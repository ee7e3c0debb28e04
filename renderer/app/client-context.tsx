import { createContext, useContext, type ReactNode } from 'react';
import type { WorkstationClient } from '../client/workstation-client.ts';

const ClientContext = createContext<WorkstationClient | null>(null);

export function ClientProvider({ client, children }: { client: WorkstationClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): WorkstationClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}
