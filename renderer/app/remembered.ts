/**
 * What the window remembers between reloads, in the page's localStorage: the thumbnail size and
 * the case that was open (per workspace, so another workspace does not reopen a case it lacks).
 * Only preferences live here; anything that matters to the evidence is the workstation's.
 */
import { useCallback, useState } from 'react';

const PREFIX = 'acsr.';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // A sandboxed page may refuse storage: the window then simply forgets.
    return null;
  }
}

export function readRemembered(key: string): string | null {
  return storage()?.getItem(PREFIX + key) ?? null;
}

export function writeRemembered(key: string, value: string | null): void {
  const store = storage();
  if (!store) return;
  if (value === null) store.removeItem(PREFIX + key);
  else store.setItem(PREFIX + key, value);
}

/** The key under which a workspace's open case is kept. */
export const openCaseKey = (workspace: string) => `open-case:${workspace}`;

/** A whole number kept between reloads, clamped to [min, max]; the fallback when none was kept. */
export function useRememberedNumber(key: string, fallback: number, min: number, max: number): [number, (value: number) => void] {
  const [value, setValue] = useState(() => {
    const kept = Number(readRemembered(key));
    return Number.isFinite(kept) && kept >= min && kept <= max && readRemembered(key) !== null ? kept : fallback;
  });
  const set = useCallback(
    (next: number) => {
      setValue(next);
      writeRemembered(key, String(next));
    },
    [key],
  );
  return [value, set];
}
