/**
 * The comparison's section of tuning.md: one line per defense (clean and per-attack accuracy with
 * Wilson intervals, the mean under attack, the clean drop), the paired tests of ACSR against each
 * baseline per attack, the rule, and the recommendation in one plain sentence.
 */
import { formatProportion } from '../evaluation/results-markdown.ts';
import type { DefenseComparison } from './defense-comparison.ts';
import { defenseLabel } from './recommend-defense.ts';

const percent = (value: number) => (Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : 'n/a');

export function comparisonMarkdown(comparison: DefenseComparison | null, sweepComplete: boolean): string[] {
  const heading = ['## Which defense to use', ''];
  if (!comparison) return [...heading, sweepComplete ? 'No defenses were compared.' : 'Not yet: the comparison runs once the sweep is complete.', ''];
  const attacks = comparison.attacks;
  const tested = comparison.tests.filter((t) => t.row !== 'clean');
  const lines = [
    ...heading,
    `Every defense below judged on the same ${comparison.images} validation images, clean and attacked (the attacked images are the sweep's; nothing is attacked again). ` +
      'Accuracy with its 95 % Wilson interval.',
    ...(comparison.complete ? [] : ['', '**Partial: some defenses have not run on every image yet; nothing is recommended until they have.**']),
    '',
    `| defense | settings | clean | ${attacks.join(' | ')} | mean under attack | clean drop (points) | allowed | s / image |`,
    `|---|---|---|${attacks.map(() => '---|').join('')}---|---|---|---|`,
    ...comparison.rows.map((r) => {
      const mark = comparison.recommendation?.defense === r.defense ? ' **(recommended)**' : '';
      return `| ${r.label}${mark} | ${r.settings || '-'} | ${formatProportion(r.clean)} | ${r.attacks.map((a) => formatProportion(a.accuracy)).join(' | ')} | ${percent(r.meanAttackAccuracy)} | ${r.cleanDropPoints.toFixed(1)} | ${r.meetsConstraint ? 'yes' : 'no'} | ${Number.isFinite(r.secondsPerImage) ? r.secondsPerImage.toFixed(3) : 'n/a'} |`;
    }),
    '',
  ];
  if (tested.length > 0) {
    lines.push(
      'Paired tests of ACSR against each defense (McNemar, exact, two-sided; b: images ACSR got right and the other wrong, c: the reverse):',
      '',
      `| against | ${attacks.join(' | ')} |`,
      `|---|${attacks.map(() => '---|').join('')}`,
      ...[...new Set(tested.map((t) => t.baseline))].map(
        (baseline) =>
          `| ${defenseLabel(baseline)} | ${attacks
            .map((row) => {
              const t = tested.find((x) => x.baseline === baseline && x.row === row);
              if (!t) return 'n/a';
              const verdict = t.better === 'neither' ? 'no difference' : t.better === 'acsr' ? 'ACSR better' : 'ACSR worse';
              return `b ${t.b}, c ${t.c}, p ${t.exactP < 0.001 ? t.exactP.toExponential(1) : t.exactP.toFixed(3)}: ${verdict}`;
            })
            .join(' | ')} |`,
      ),
      '',
    );
  }
  lines.push(`Rule: ${comparison.rule}.`, '');
  lines.push(
    comparison.recommendation
      ? `**${comparison.recommendation.sentence}**`
      : comparison.rows.length <= 1
        ? 'Only one defense was compared: nothing to recommend.'
        : 'Nothing is recommended yet.',
    '',
  );
  lines.push(
    `Measured on this bundle's validation split only (SHA-256 ${comparison.validationSha256}); it says nothing about other images, classifiers or attacks.`,
    '',
  );
  return lines;
}
