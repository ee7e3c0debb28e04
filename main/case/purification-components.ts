/**
 * The parts of a purification run that the image view shows (x_low, x_high, the reconstructed
 * x_high and x_pur - x), stored when the run is made, in the case's content-addressed store
 * beside the purified output, and named with their SHA-256 in the run's parameters (so the
 * audit log's 'purify' entry chains their hashes, and `case verify` checks the files).
 *
 * Stored rather than recomputed on demand: recomputing costs a full purification (seconds to a
 * minute per image) every time an investigator opens the view, and would only show what the
 * code does today — a later version, another TensorFlow backend or thread count may differ in
 * the last bits — whereas the stored parts are exactly what produced the recorded output.
 *
 * 16-bit PNGs: the high-frequency parts are small (rms ~0.02), so 8 bits would keep only a few
 * levels of them; 16 bits keep them to 1.5e-5, below the float32 solver's own noise. Signed
 * parts are offset by +0.5 (SIGNED_OFFSET) to fit [0, 1]; anything beyond [-0.5, 0.5] is clipped.
 */
import { componentImage, keptComponents, type PurificationComponents } from '../acsr/purification/purification-parts.ts';
import { encodePng } from '../io/image.ts';
import type { EvidenceStore } from './evidence-store.ts';

export const COMPONENT_NAMES = ['low', 'high', 'reconstructedHigh', 'difference'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** Added to the signed parts (high, reconstructedHigh, difference) before they are written. */
export const SIGNED_OFFSET = 0.5;
export const COMPONENT_BIT_DEPTH = 16;

export interface StoredComponent {
  sha256: string;
  storePath: string;
}

/** What a run's parameters.components holds. */
export interface StoredComponents {
  encoding: string;
  parts: Record<ComponentName, StoredComponent>;
}

export function isSignedComponent(name: ComponentName): boolean {
  return name !== 'low';
}

/** Only storeBytes is needed: a worker of the fleet stores the parts in the shared results area the same way. */
export async function storePurificationComponents(
  store: Pick<EvidenceStore, 'storeBytes'>,
  purification: PurificationComponents | null,
): Promise<StoredComponents> {
  const components = keptComponents(purification);
  const parts = {} as Record<ComponentName, StoredComponent>;
  // one part at a time: high and difference are formed on request, each let go once encoded
  for (const name of COMPONENT_NAMES) {
    const part = componentImage(components, name);
    const png = await encodePng(part, { bitDepth: COMPONENT_BIT_DEPTH, offset: isSignedComponent(name) ? SIGNED_OFFSET : 0 });
    const stored = await store.storeBytes(png);
    parts[name] = { sha256: stored.sha256, storePath: stored.relativePath };
  }
  return {
    encoding: `${COMPONENT_BIT_DEPTH}-bit PNG; low as it is, high, reconstructedHigh and difference offset by +${SIGNED_OFFSET} and clipped to [0, 1]`,
    parts,
  };
}

/** The stored parts of a run, or null for runs recorded before parts were kept. */
export function storedComponentsOf(parameters: Record<string, unknown>): StoredComponents | null {
  const components = parameters.components as StoredComponents | undefined;
  if (!components || typeof components !== 'object' || !components.parts) return null;
  for (const name of COMPONENT_NAMES) {
    const part = components.parts[name];
    if (!part || !/^[0-9a-f]{64}$/.test(part.sha256) || typeof part.storePath !== 'string') return null;
  }
  return components;
}
