/**
 * Which defense to use, decided on the bundle's own validation images. The rule, as the output
 * states it (RECOMMENDATION_RULE):
 *   1. only defenses that lose at most `maxCleanDrop` points of clean accuracy against the
 *      undefended classifier are candidates (no defense at all always is);
 *   2. the candidate with the highest mean accuracy over the attack columns leads; equal counts go
 *      to the cheaper defense;
 *   3. ACSR costs a sparse coding and a classifier pass per image: when it leads, it is recommended
 *      over the best cheaper candidate only if McNemar's exact paired test finds it more accurate
 *      (p < 0.05) in at least one attack column and in at least as many columns as it is found
 *      less accurate. Otherwise the cheaper defense protected the classifier as well on these
 *      images and is recommended. A higher mean that no paired test confirms is noise at this size.
 * Counts, not rounded percentages, are compared, so a tie is an exact tie.
 */
import type { PairedTest } from '../evaluation/paired-comparison.ts';
import { meetsCleanConstraint } from './choose-point.ts';

export const ACSR = 'acsr';
export const NO_DEFENSE = 'none';

/** Names a reader understands, for sentences and tables meant for the investigator. */
export const DEFENSE_LABELS: Readonly<Record<string, string>> = {
  none: 'no defense',
  jpeg75: 'JPEG quality 75',
  jpeg50: 'JPEG quality 50',
  median3: '3x3 median filter',
  bits4: '4-bit depth reduction',
  tvm: 'total-variation minimisation',
  lowpass: 'low-pass filter (Tikhonov)',
  'single-dict': 'one shared dictionary',
  acsr: 'ACSR',
};

/** Cheapest first: what a tie in accuracy is broken by (time per image, and what the defense needs). */
const COST_ORDER = ['none', 'bits4', 'jpeg75', 'jpeg50', 'median3', 'lowpass', 'tvm', 'single-dict', 'acsr'];

export function defenseLabel(defense: string): string {
  return DEFENSE_LABELS[defense] ?? defense;
}

/** `maxCleanDrop`: the number, or the option's name in help text */
export function recommendationRule(maxCleanDrop: number | string): string {
  return (
    `among the defenses that lose at most ${maxCleanDrop} percentage point${maxCleanDrop === 1 ? '' : 's'} of clean accuracy against no defense, the one with the highest mean accuracy under attack ` +
    '(ties to the cheaper one); ACSR is recommended over the best cheaper defense only if a paired test (McNemar, exact, p < 0.05) finds it more accurate ' +
    'in at least one attack column and in at least as many columns as it finds it less accurate; otherwise the cheaper defense is recommended'
  );
}

export interface ComparedDefense {
  readonly defense: string;
  readonly cleanCorrect: number;
  /** correct answers per attack column */
  readonly attackCorrect: readonly number[];
}

export interface Recommendation {
  /** the defense recommended ('none': no defense helped) */
  readonly defense: string;
  readonly label: string;
  /** the cheaper defense ACSR was tested against when it led, else null */
  readonly testedAgainst: string | null;
  /** attack columns where the paired test found ACSR more / less accurate than `testedAgainst` (or than the recommended defense) */
  readonly acsrBetterIn: number;
  readonly acsrWorseIn: number;
  readonly attackColumns: number;
  /** why, in one clause */
  readonly reason: string;
  /** the plain sentence the investigator reads */
  readonly sentence: string;
}

export interface RecommendationRequest {
  readonly defenses: readonly ComparedDefense[];
  readonly undefendedCleanCorrect: number;
  readonly images: number;
  readonly maxCleanDrop: number;
  /** ACSR against each baseline, attack columns only */
  readonly tests: readonly PairedTest[];
  readonly attackColumns: number;
}

export function recommendDefense(request: RecommendationRequest): Recommendation | null {
  const { images, attackColumns } = request;
  const allowed = request.defenses.filter((d) => meetsCleanConstraint(d.cleanCorrect, request.undefendedCleanCorrect, images, request.maxCleanDrop));
  const ranked = allowed.toSorted((a, b) => total(b) - total(a) || cost(a.defense) - cost(b.defense));
  const best = ranked[0];
  if (!best) return null;
  const pct = (d: ComparedDefense) => `${((100 * total(d)) / (images * attackColumns)).toFixed(1)} %`;
  const verdicts = (baseline: string) => {
    const tests = request.tests.filter((t) => t.baseline === baseline);
    return { better: tests.filter((t) => t.better === ACSR).length, worse: tests.filter((t) => t.better === baseline).length };
  };
  const opening = `On this bundle's ${images} validation images`;
  const acsr = request.defenses.find((d) => d.defense === ACSR);
  const make = (defense: string, testedAgainst: string | null, better: number, worse: number, reason: string, sentence: string): Recommendation => ({
    defense,
    label: defenseLabel(defense),
    testedAgainst,
    acsrBetterIn: better,
    acsrWorseIn: worse,
    attackColumns,
    reason,
    sentence,
  });

  if (best.defense === ACSR) {
    const runnerUp = ranked.find((d) => d.defense !== ACSR);
    if (!runnerUp) {
      const reason = 'ACSR is the only defense compared that keeps clean accuracy';
      return make(
        ACSR,
        null,
        0,
        0,
        reason,
        `${opening}, ACSR was the only defense compared that kept clean accuracy within ${pointsText(request.maxCleanDrop)} (mean accuracy under attack ${pct(best)}); it is recommended.`,
      );
    }
    const { better, worse } = verdicts(runnerUp.defense);
    const tally = `better by a paired test in ${better} of ${attackColumns} attack${attackColumns === 1 ? '' : 's'}, worse in ${worse}`;
    const versus = `mean accuracy under attack ${pct(best)} against ${pct(runnerUp)}`;
    if (better >= 1 && better >= worse) {
      const reason = `ACSR leads ${defenseLabel(runnerUp.defense)}, the best cheaper defense, and paired tests confirm it (${tally})`;
      return make(
        ACSR,
        runnerUp.defense,
        better,
        worse,
        reason,
        `${opening}, ACSR protected the classifier better than ${defenseLabel(runnerUp.defense)}, the best cheaper defense (${versus}; ${tally}); it is recommended.`,
      );
    }
    const reason = `ACSR's higher mean was not confirmed by paired tests against ${defenseLabel(runnerUp.defense)} (${tally}), so the cheaper defense is recommended`;
    return make(
      runnerUp.defense,
      runnerUp.defense,
      better,
      worse,
      reason,
      runnerUp.defense === NO_DEFENSE
        ? `${opening}, no defense protected the classifier measurably: ACSR's ${pct(best)} mean accuracy under attack against ${pct(runnerUp)} without a defense was not confirmed by paired tests (ACSR ${tally}); no defense is recommended.`
        : `${opening}, ${defenseLabel(runnerUp.defense)} protected the classifier as well as ACSR (${pct(runnerUp)} mean accuracy under attack against ACSR's ${pct(best)}; ACSR ${tally}); it is recommended, being cheaper.`,
    );
  }

  const detail = acsrClause(acsr, best, allowed.includes(acsr!), verdicts, attackColumns, pct);
  if (best.defense === NO_DEFENSE) {
    const reason = 'no defense that keeps clean accuracy did better under attack than no defense at all';
    return make(
      NO_DEFENSE,
      null,
      detail.better,
      detail.worse,
      reason,
      `${opening}, no defense that keeps clean accuracy within ${pointsText(request.maxCleanDrop)} did better under attack than no defense (${pct(best)} mean accuracy under attack${detail.text}); no defense is recommended.`,
    );
  }
  const reason = `${defenseLabel(best.defense)} has the highest mean accuracy under attack among the defenses that keep clean accuracy`;
  return make(
    best.defense,
    null,
    detail.better,
    detail.worse,
    reason,
    `${opening}, ${defenseLabel(best.defense)} protected the classifier best among the defenses that keep clean accuracy within ${pointsText(request.maxCleanDrop)} (${pct(best)} mean accuracy under attack${detail.text}); it is recommended.`,
  );
}

/** What the sentence says about ACSR when a baseline leads. */
function acsrClause(
  acsr: ComparedDefense | undefined,
  best: ComparedDefense,
  acsrAllowed: boolean,
  verdicts: (baseline: string) => { better: number; worse: number },
  attackColumns: number,
  pct: (d: ComparedDefense) => string,
): { text: string; better: number; worse: number } {
  if (!acsr) return { text: '', better: 0, worse: 0 };
  if (!acsrAllowed) return { text: `; ACSR lost more clean accuracy than allowed`, better: 0, worse: 0 };
  const { better, worse } = verdicts(best.defense);
  return {
    text: `; ACSR ${pct(acsr)}, better by a paired test in ${better} of ${attackColumns} attack${attackColumns === 1 ? '' : 's'}, worse in ${worse}`,
    better,
    worse,
  };
}

function pointsText(points: number): string {
  return `${points} point${points === 1 ? '' : 's'}`;
}

function total(d: ComparedDefense): number {
  return d.attackCorrect.reduce((s, v) => s + v, 0);
}

function cost(defense: string): number {
  const rank = COST_ORDER.indexOf(defense);
  return rank < 0 ? COST_ORDER.length : rank;
}
