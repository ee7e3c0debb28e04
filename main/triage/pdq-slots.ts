/**
 * The sixteen 16-bit slots a PDQ hash is cut into for multi-index search (see
 * pdq-multi-index.ts), and the masks that enumerate a slot value's neighbourhood.
 */
import { popcount32 } from './packed-pdq.ts';

export const SLOTS = 16;
export const SLOT_VALUES = 1 << 16;

/** Every 16-bit mask, fewest bits first; MASKS_WITHIN[r] of them have at most r bits set. */
export const MASKS = new Uint16Array(SLOT_VALUES);
export const MASKS_WITHIN = new Uint32Array(17);
{
  const byBits: number[][] = Array.from({ length: 17 }, () => []);
  for (let mask = 0; mask < SLOT_VALUES; mask++) byBits[popcount32(mask)].push(mask);
  let at = 0;
  for (let bits = 0; bits <= 16; bits++) {
    for (const mask of byBits[bits]) MASKS[at++] = mask;
    MASKS_WITHIN[bits] = at;
  }
}

/** Slot `slot` of the packed hash at words[at ..]: the reference's 16-bit word `slot`. */
export function slotValue(words: Uint32Array, at: number, slot: number): number {
  return (words[at + (slot >> 1)] >>> ((slot & 1) << 4)) & 0xffff;
}

/**
 * The first slot in which two hashes differ in at most `slotRadius` bits (SLOTS if none). A pair
 * found through several slots is reported only from this one, so it is reported once.
 */
export function firstSlotWithin(a: Uint32Array, aAt: number, b: Uint32Array, bAt: number, slotRadius: number): number {
  for (let slot = 0; slot < SLOTS; slot++) {
    if (popcount32(slotValue(a, aAt, slot) ^ slotValue(b, bAt, slot)) <= slotRadius) return slot;
  }
  return SLOTS;
}
