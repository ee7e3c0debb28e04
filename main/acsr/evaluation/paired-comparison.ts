/**
 * What overlapping intervals cannot say: whether ACSR beats a baseline on the same images. Per row
 * (clean, each attack, BPDA), every image the two defenses both judged is a pair; McNemar's exact
 * test on the discordant pairs (mcnemar-test.ts) decides. And the question a mean over all images
 * blurs: how each defense does on the images the attack actually fooled (the undefended classifier
 * right on the clean image, wrong after the attack), where a defense has something to undo.
 */
import { type Proportion, wilsonProportion } from './confidence-interval.ts';
import type { SampleOutcome } from './evaluation-journal.ts';
import { mcNemarExact } from './mcnemar-test.ts';

/** The defense the paired tests compare every other one with. */
export const REFERENCE_DEFENSE = 'acsr';
/** The undefended classifier, whose clean verdict tells which attacked images were fooled. */
export const UNDEFENDED = 'none';
export const SIGNIFICANCE_LEVEL = 0.05;

export interface PairedTest {
  readonly row: string;
  /** always REFERENCE_DEFENSE */
  readonly reference: string;
  readonly baseline: string;
  /** images both defenses were judged on */
  readonly pairs: number;
  /** reference right, baseline wrong */
  readonly b: number;
  /** reference wrong, baseline right */
  readonly c: number;
  /** McNemar's exact two-sided p (the verdict's) and its mid-p */
  readonly exactP: number;
  readonly midP: number;
  /** which defense is more accurate at exact p < 0.05, or 'neither' */
  readonly better: string;
}

export interface FooledSubset {
  readonly row: string;
  /** attacked images whose clean image the undefended classifier got right */
  readonly cleanCorrect: number;
  /** of those, the ones the attack turned wrong for the undefended classifier */
  readonly fooled: number;
  /** accuracy of each defense on the fooled images */
  readonly cells: { defense: string; accuracy: Proportion }[];
}

/** Sample -> defense -> correct?, for one row's outcomes. */
function correctness(outcomes: readonly SampleOutcome[]): Map<number, Map<string, boolean>> {
  const bySample = new Map<number, Map<string, boolean>>();
  for (const o of outcomes) {
    const entry = bySample.get(o.sample) ?? new Map<string, boolean>();
    for (const d of o.defended) entry.set(d.defense, d.predicted === o.label);
    bySample.set(o.sample, entry);
  }
  return bySample;
}

export function pairedTests(rows: readonly string[], byRow: ReadonlyMap<string, readonly SampleOutcome[]>, defenses: readonly string[]): PairedTest[] {
  if (!defenses.includes(REFERENCE_DEFENSE)) return [];
  const tests: PairedTest[] = [];
  for (const row of rows) {
    const judged = correctness(byRow.get(row) ?? []);
    for (const baseline of defenses.filter((d) => d !== REFERENCE_DEFENSE)) {
      let pairs = 0,
        b = 0,
        c = 0;
      for (const verdicts of judged.values()) {
        const ours = verdicts.get(REFERENCE_DEFENSE);
        const theirs = verdicts.get(baseline);
        if (ours === undefined || theirs === undefined) continue;
        pairs++;
        if (ours && !theirs) b++;
        if (!ours && theirs) c++;
      }
      if (pairs === 0) continue;
      const { exactP, midP } = mcNemarExact(b, c);
      const better = exactP < SIGNIFICANCE_LEVEL ? (b > c ? REFERENCE_DEFENSE : baseline) : 'neither';
      tests.push({ row, reference: REFERENCE_DEFENSE, baseline, pairs, b, c, exactP, midP, better });
    }
  }
  return tests;
}

/**
 * Per attack row: the fooled images (undefended classifier right on the clean image and wrong on
 * the attacked one, as the attack's own record says) and every defense's accuracy on them. Needs
 * the undefended classifier's clean verdict, i.e. 'none' among the defenses; [] without it.
 */
export function fooledSubsets(
  attackRows: readonly string[],
  byRow: ReadonlyMap<string, readonly SampleOutcome[]>,
  clean: readonly SampleOutcome[],
  defenses: readonly string[],
): FooledSubset[] {
  const cleanRight = new Map<number, boolean>();
  for (const o of clean) {
    const undefended = o.defended.find((d) => d.defense === UNDEFENDED);
    if (undefended) cleanRight.set(o.sample, undefended.predicted === o.label);
  }
  if (cleanRight.size === 0) return [];
  const subsets: FooledSubset[] = [];
  for (const row of attackRows) {
    const outcomes = (byRow.get(row) ?? []).filter((o) => o.attack && cleanRight.has(o.sample));
    if (outcomes.length === 0) continue;
    const eligible = outcomes.filter((o) => cleanRight.get(o.sample));
    const fooled = eligible.filter((o) => o.attack!.adversarialLabel !== o.label);
    const cells = defenses.map((defense) => {
      const verdicts = fooled.flatMap((o) => o.defended.filter((d) => d.defense === defense).map((d) => d.predicted === o.label));
      return { defense, accuracy: wilsonProportion(verdicts.filter(Boolean).length, verdicts.length) };
    });
    subsets.push({ row, cleanCorrect: eligible.length, fooled: fooled.length, cells });
  }
  return subsets;
}
