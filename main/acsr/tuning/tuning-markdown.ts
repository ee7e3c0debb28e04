/**
 * tuning.md: the sweep as a reader checks it. The undefended classifier first (the reference the
 * clean-accuracy constraint is measured from), then one line per grid point with its clean and
 * per-attack accuracies, the objective and whether the point is allowed, then the chosen point and
 * the rule that chose it. Every attack's budget is stated with its normalisation.
 */
import { SPEC_SUFFIX_LEGEND } from '../attacks/budget-description.ts';
import { formatProportion } from '../evaluation/results-markdown.ts';
import { comparisonMarkdown } from './comparison-markdown.ts';
import type { TuningResults } from './tuning-results.ts';

const percent = (value: number) => (Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : 'n/a');

export function tuningMarkdown(results: TuningResults): string {
  const { setup, undefended } = results;
  const rows = setup.attacks.map((a) => a.name);
  const lines: string[] = [
    '# Purification tuning on the validation split',
    '',
    `Bundle \`${setup.bundle.path}\` (manifest SHA-256 ${setup.bundle.manifestSha256}), classifier ${setup.model.id}.`,
    `Images: ${setup.data.description}; validation split SHA-256 ${setup.data.splitSha256}. The test split is never used here.`,
    `Each image is attacked once per attack against the undefended classifier; every grid point purifies the same clean and attacked images with the acsr defense (tolerance ${setup.fixed.tolerance}, tiles of ${setup.fixed.tileSize} px) and the classifier judges the result.`,
    ...(results.complete ? [] : ['', '**Partial: some grid points or batches are not done yet; no point is chosen until every one is.**']),
    '',
    '## Attacks and their budgets',
    '',
    `| attack | budget (pixels in [0, 1]) | undefended accuracy | attack success | mean ${cell("||x'-x||_2 / ||x||_2")} |`,
    '|---|---|---|---|---|',
    ...setup.attacks.map((a) => {
      const u = undefended.attacks.find((r) => r.row === a.name)!;
      return `| ${cell(a.name)} | ${cell(a.normalisation)} | ${formatProportion(u.accuracy)} | ${formatProportion(u.success)} | ${Number.isFinite(u.meanDissimilarity) ? u.meanDissimilarity.toFixed(4) : 'n/a'} |`;
    }),
    '',
    SPEC_SUFFIX_LEGEND,
    '',
    `Undefended clean accuracy: ${formatProportion(undefended.clean)}.`,
    '',
    '## Sweep',
    '',
    `Objective: ${setup.objective}. Rule: ${setup.rule}.`,
    '',
    `| Tikhonov lambda | CBPDN lambda | iterations | clean | ${rows.join(' | ')} | mean under attack | clean drop (points) | allowed | s / image |`,
    `|---|---|---|---|${rows.map(() => '---|').join('')}---|---|---|---|`,
    ...results.points.map((p) => {
      const mark = results.chosen?.key === p.key ? ' **(chosen)**' : '';
      return `| ${p.tikhonovLambda} | ${p.cscLambda} | ${p.maxIterations}${mark} | ${percent(p.clean.value)} | ${p.attacks.map((a) => percent(a.accuracy.value)).join(' | ')} | ${percent(p.meanAttackAccuracy)} | ${p.cleanDropPoints.toFixed(1)} | ${p.meetsConstraint ? 'yes' : 'no'} | ${p.secondsPerImage.toFixed(2)} |`;
    }),
    '',
    `Accuracies are on ${setup.data.count} images; 95 % Wilson intervals for every cell are in tuning.json (at this size a cell's interval is about ±${(100 * halfWidth(results)).toFixed(0)} points).`,
    '',
    '## Chosen',
    '',
    results.chosen
      ? `Tikhonov lambda ${results.chosen.tikhonovLambda}, CBPDN lambda ${results.chosen.cscLambda}, ${results.chosen.maxIterations} iterations.`
      : results.complete
        ? `No grid point keeps clean accuracy within ${setup.maxCleanDrop} points of the undefended classifier's; nothing is chosen.`
        : 'Not yet: the sweep is incomplete.',
    '',
    ...comparisonMarkdown(results.comparison, results.complete),
  ];
  return lines.join('\n');
}

/** Text inside a table cell: a bare | (as in ||delta||_2) would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The widest half-interval among the points' clean cells, as a reading aid. */
function halfWidth(results: TuningResults): number {
  const widths = results.points.map((p) => (p.clean.ci95[1] - p.clean.ci95[0]) / 2);
  return widths.length ? Math.max(...widths) : 0;
}
