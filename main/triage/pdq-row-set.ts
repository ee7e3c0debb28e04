/**
 * Which packed PDQ rows are already present, for spotting a hash listed twice: an open-addressing
 * table of row numbers (4 bytes a slot) over the packed words themselves, where a Set of hex
 * strings would cost over 100 bytes per hash on a million-line list.
 */
import { PDQ_WORDS } from './packed-pdq.ts';

export class PdqRowSet {
  private slots = new Int32Array(1 << 12).fill(-1);
  private used = 0;

  /**
   * Adds row `row` of `words` unless an equal row was added before; returns that earlier row, or
   * -1 when the row is new. Rows must stay where they are in `words` (which may be replaced by a
   * grown copy holding the same rows: pass the current one each time).
   */
  addOrFind(words: Uint32Array, row: number): number {
    if ((this.used + 1) * 2 > this.slots.length) this.rehash(words);
    const mask = this.slots.length - 1;
    for (let slot = this.hashOf(words, row) & mask; ; slot = (slot + 1) & mask) {
      const other = this.slots[slot];
      if (other < 0) {
        this.slots[slot] = row;
        this.used++;
        return -1;
      }
      if (sameRow(words, row, other)) return other;
    }
  }

  private hashOf(words: Uint32Array, row: number): number {
    // PDQ bits are already well mixed; one multiply spreads the two words over the table.
    const at = row * PDQ_WORDS;
    return Math.imul(words[at] ^ Math.imul(words[at + 5], 0x9e3779b1), 0x85ebca6b) >>> 7;
  }

  private rehash(words: Uint32Array): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (const row of old) {
      if (row < 0) continue;
      let slot = this.hashOf(words, row) & mask;
      while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
      this.slots[slot] = row;
    }
  }
}

function sameRow(words: Uint32Array, a: number, b: number): boolean {
  for (let p = 0; p < PDQ_WORDS; p++) if (words[a * PDQ_WORDS + p] !== words[b * PDQ_WORDS + p]) return false;
  return true;
}
