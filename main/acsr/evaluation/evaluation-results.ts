/**
 * From the journal's per-image outcomes to the numbers `acsr eval` publishes: accuracy with a 95 %
 * interval for every row (clean, each attack, BPDA) x defense cell, the attacks' success and
 * achieved norms, cluster agreement under attack for semantic defenses, and time per image. Always
 * recomputed from the journal, never accumulated, so a resumed run reports exactly what a
 * straight run would.
 */
import type { AttackBudget } from '../attacks/attack-types.ts';
import { type Proportion, wilsonProportion } from './confidence-interval.ts';
import type { JournalUnit, SampleOutcome } from './evaluation-journal.ts';
import { type FooledSubset, fooledSubsets, type PairedTest, pairedTests } from './paired-comparison.ts';

export const CLEAN_ROW = 'clean';
export const BPDA_ROW = 'bpda';

export interface EvaluationSetup {
  readonly model: { id: string; backend: string; classNames: readonly string[] };
  readonly bundle: { path: string; manifestSha256: string; extractor: string } | null;
  readonly data: { description: string; fingerprint: string; count: number };
  readonly attacks: readonly { name: string; budget: AttackBudget | null }[];
  readonly defenses: readonly { name: string; description: string }[];
  readonly adaptive: { attack: string; budget: AttackBudget | null; eotSamples: number } | null;
  readonly seed: number;
  readonly batchSize: number;
}

export interface Cell {
  readonly row: string;
  readonly defense: string;
  readonly accuracy: Proportion;
  /** mean seconds the defense took per image in this row */
  readonly defenseSeconds: number;
}

export interface AttackSummary {
  readonly row: string;
  readonly budget: AttackBudget | null;
  /** against the undefended classifier (BPDA: against the defended one) */
  readonly success: Proportion;
  readonly meanL2PerPixel: number;
  readonly medianL2PerPixel: number;
  readonly meanLinf255: number;
  /** the achieved ||x'-x||_2 / ||x||_2 of the images the defenses saw (0 where a cutoff returned the clean image) */
  readonly meanDissimilarity: number;
  readonly medianDissimilarity: number;
  readonly maxDissimilarity: number;
  /** cutoff attacks: images whose example was at or beyond the cutoff (failed, the clean image used) */
  readonly rejected: number;
  readonly secondsPerImage: number;
}

export interface ClusterAgreement {
  readonly row: string;
  readonly defense: string;
  /** attacked images whose selected cluster equals the clean image's */
  readonly agreement: Proportion;
}

export interface EvaluationResults {
  readonly format: 'acsr-evaluation-results';
  /** 2: paired tests, fooled subsets and achieved dissimilarities added */
  readonly version: 2;
  readonly setup: EvaluationSetup;
  /** every planned unit is in the journal */
  readonly complete: boolean;
  readonly rows: string[];
  readonly cells: Cell[];
  readonly attacks: AttackSummary[];
  readonly clusterAgreement: ClusterAgreement[];
  /** accuracy(row, defense) / clean accuracy without defense: the share of clean accuracy kept */
  readonly recovery: { row: string; defense: string; value: number }[];
  /** McNemar's exact test of ACSR against every other defense, per row, on the same images */
  readonly pairedTests: PairedTest[];
  /** per attack: every defense on the images the attack fooled (undefended right on clean, wrong attacked) */
  readonly fooled: FooledSubset[];
}

export function summariseEvaluation(setup: EvaluationSetup, units: readonly JournalUnit[], complete: boolean): EvaluationResults {
  const byRow = new Map<string, SampleOutcome[]>();
  const attackSeconds = new Map<string, number>();
  for (const unit of units) {
    const row = unit.row.startsWith(`${BPDA_ROW}:`) ? BPDA_ROW : unit.row;
    byRow.set(row, [...(byRow.get(row) ?? []), ...unit.outcomes]);
    const key = unit.row;
    attackSeconds.set(key, (attackSeconds.get(key) ?? 0) + unit.attackSeconds);
  }
  const rows = [CLEAN_ROW, ...setup.attacks.map((a) => a.name), ...(setup.adaptive ? [BPDA_ROW] : [])].filter((row) => byRow.has(row));

  const cells: Cell[] = [];
  for (const row of rows) {
    for (const { name } of setup.defenses) {
      const predictions = byRow.get(row)!.flatMap((o) => o.defended.filter((d) => d.defense === name).map((d) => ({ d, label: o.label })));
      if (predictions.length === 0) continue;
      cells.push({
        row,
        defense: name,
        accuracy: wilsonProportion(predictions.filter(({ d, label }) => d.predicted === label).length, predictions.length),
        defenseSeconds: mean(predictions.map(({ d }) => d.seconds)),
      });
    }
  }

  const attacks: AttackSummary[] = [];
  const attackRows = [
    ...setup.attacks.map((a) => ({ row: a.name, budget: a.budget, units: [a.name] })),
    ...(setup.adaptive ? setup.defenses.map((d) => ({ row: `${BPDA_ROW}:${d.name}`, budget: setup.adaptive!.budget, units: [`${BPDA_ROW}:${d.name}`] })) : []),
  ];
  for (const { row, budget } of attackRows) {
    const records = units
      .filter((u) => u.row === row)
      .flatMap((u) => u.outcomes.map((o) => o.attack!))
      .filter(Boolean);
    if (records.length === 0) continue;
    const l2 = records.map((r) => r.l2PerPixel);
    // journals written before records carried it have no dissimilarity: NaN, not a made-up number
    const dissimilarity = records.map((r) => r.dissimilarity ?? Number.NaN);
    attacks.push({
      row,
      budget,
      success: wilsonProportion(records.filter((r) => r.success).length, records.length),
      meanL2PerPixel: mean(l2),
      medianL2PerPixel: median(l2),
      meanLinf255: mean(records.map((r) => r.linf255)),
      meanDissimilarity: mean(dissimilarity),
      medianDissimilarity: median(dissimilarity),
      maxDissimilarity: Math.max(...dissimilarity),
      rejected: records.filter((r) => r.rejectedDissimilarity !== undefined).length,
      secondsPerImage: (attackSeconds.get(row) ?? 0) / records.length,
    });
  }

  const cleanClusters = new Map<string, string>();
  for (const o of byRow.get(CLEAN_ROW) ?? []) {
    for (const d of o.defended) if (d.clusterId !== undefined) cleanClusters.set(`${o.sample}/${d.defense}`, d.clusterId);
  }
  const clusterAgreement: ClusterAgreement[] = [];
  for (const row of rows.filter((r) => r !== CLEAN_ROW)) {
    for (const { name } of setup.defenses) {
      const pairs = byRow
        .get(row)!
        .flatMap((o) =>
          o.defended
            .filter((d) => d.defense === name && d.clusterId !== undefined)
            .map((d) => ({ attacked: d.clusterId, clean: cleanClusters.get(`${o.sample}/${name}`) })),
        )
        .filter((p) => p.clean !== undefined);
      if (pairs.length > 0)
        clusterAgreement.push({ row, defense: name, agreement: wilsonProportion(pairs.filter((p) => p.attacked === p.clean).length, pairs.length) });
    }
  }

  const cleanUndefended = cells.find((c) => c.row === CLEAN_ROW && c.defense === 'none')?.accuracy.value;
  const recovery = cleanUndefended ? cells.map((c) => ({ row: c.row, defense: c.defense, value: c.accuracy.value / cleanUndefended })) : [];
  const defenseNames = setup.defenses.map((d) => d.name);
  const paired = pairedTests(rows, byRow, defenseNames);
  const fooled = fooledSubsets(
    setup.attacks.map((a) => a.name).filter((row) => byRow.has(row)),
    byRow,
    byRow.get(CLEAN_ROW) ?? [],
    defenseNames,
  );
  return { format: 'acsr-evaluation-results', version: 2, setup, complete, rows, cells, attacks, clusterAgreement, recovery, pairedTests: paired, fooled };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
