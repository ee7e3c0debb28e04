/**
 * The Markdown report of an evaluation: the accuracy table in the shape of the paper's Tables 2-5
 * (rows: clean and each attack; columns: defenses), with every budget's normalisation spelled
 * out in every table, because "eps 0.04" means nothing until one says in which norm and units;
 * then the attacks' achieved sizes, every defense on the images each attack fooled, and ACSR
 * against each baseline by McNemar's paired test.
 */
import { describeBudget, shortBudget, SPEC_SUFFIX_LEGEND } from '../attacks/budget-description.ts';
import type { AttackBudget } from '../attacks/attack-types.ts';
import type { Proportion } from './confidence-interval.ts';
import { BPDA_ROW, CLEAN_ROW, type EvaluationResults } from './evaluation-results.ts';
import { SIGNIFICANCE_LEVEL, UNDEFENDED } from './paired-comparison.ts';

export { describeBudget };

export function resultsMarkdown(results: EvaluationResults): string {
  const { setup } = results;
  const defenses = setup.defenses.map((d) => d.name);
  const lines: string[] = [];
  lines.push(`# Evaluation: ${setup.model.id} on ${setup.data.description}`, '');
  if (!results.complete) lines.push('**Incomplete run**: resume it with the same command to fill the missing cells.', '');
  lines.push(
    `Classifier \`${setup.model.id}\` (${setup.model.backend} backend)` +
      (setup.bundle
        ? `; bundle \`${setup.bundle.path}\` (extractor \`${setup.bundle.extractor}\`, manifest SHA-256 ${setup.bundle.manifestSha256.slice(0, 16)}…)`
        : '') +
      `; seed ${setup.seed}. Accuracy in % with its 95 % Wilson interval; n images per cell.`,
    '',
  );

  const budgetOf = (row: string, describe: (budget: AttackBudget | null) => string = describeBudget): string => {
    if (row === CLEAN_ROW) return 'no attack';
    const budget: AttackBudget | null | undefined = row === BPDA_ROW ? setup.adaptive?.budget : setup.attacks.find((a) => a.name === row)?.budget;
    return budget === undefined ? '' : tableCell(describe(budget));
  };
  lines.push(`| attack | budget (pixels in [0, 1]) | ${defenses.join(' | ')} |`, `|---|---|${defenses.map(() => '---:').join('|')}|`);
  for (const row of results.rows) {
    const label = row === BPDA_ROW ? `BPDA ${setup.adaptive?.attack ?? ''} (adaptive, per defense)` : row;
    const cells = defenses.map((d) => {
      const cell = results.cells.find((c) => c.row === row && c.defense === d);
      return cell ? formatProportion(cell.accuracy) : '–';
    });
    lines.push(`| ${label} | ${budgetOf(row)} | ${cells.join(' | ')} |`);
  }
  lines.push('', SPEC_SUFFIX_LEGEND, '');

  lines.push(
    '## Attacks',
    '',
    'Success against the undefended classifier (BPDA: against the defended one), and the achieved sizes of the images the defenses saw.',
    '',
    "| attack | budget (pixels in [0, 1]) | success vs. target classifier | dissimilarity \\|\\|x'-x\\|\\|_2 / \\|\\|x\\|\\|_2 mean / median / max | over the cutoff (clean image used) | L2 per pixel mean / median | mean Linf (0-255) | s per image |",
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const a of results.attacks) {
    const rejected = a.budget?.cutoff ? `${a.rejected} of ${a.success.total}` : '–';
    lines.push(
      `| ${a.row} | ${tableCell(describeBudget(a.budget))} | ${formatProportion(a.success)} | ${fixed(a.meanDissimilarity)} / ${fixed(a.medianDissimilarity)} / ${fixed(a.maxDissimilarity)} | ${rejected} | ${a.meanL2PerPixel.toFixed(4)} / ${a.medianL2PerPixel.toFixed(4)} | ${a.meanLinf255.toFixed(2)} | ${a.secondsPerImage.toFixed(2)} |`,
    );
  }
  lines.push('');

  lines.push(...fooledSection(results, budgetOf), ...pairedSection(results, budgetOf));

  if (results.clusterAgreement.length > 0) {
    lines.push(
      '## Cluster agreement under attack',
      '',
      "Share of attacked images whose selected cluster equals the clean image's.",
      '',
      '| attack | defense | agreement |',
      '|---|---|---:|',
    );
    for (const c of results.clusterAgreement) lines.push(`| ${c.row} | ${c.defense} | ${formatProportion(c.agreement)} |`);
    lines.push('');
  }

  lines.push('## Defenses', '', '| defense | what it does | mean s per image (clean row) |', '|---|---|---:|');
  for (const d of setup.defenses) {
    const cell = results.cells.find((c) => c.row === CLEAN_ROW && c.defense === d.name);
    lines.push(`| ${d.name} | ${tableCell(d.description)} | ${cell ? cell.defenseSeconds.toFixed(3) : '–'} |`);
  }
  lines.push('');
  if (setup.adaptive) {
    lines.push(
      `BPDA: ${setup.adaptive.attack} against f(defense(x)) with the defense's backward pass taken as the identity` +
        `; randomised defenses average ${setup.adaptive.eotSamples} draws per gradient (EOT).`,
      '',
    );
  }
  lines.push('Plots: `accuracy-by-attack.png` (bars with 95 % intervals), `accuracy-vs-budget.png` (attacks run at several budgets).', '');
  return lines.join('\n');
}

function fooledSection(results: EvaluationResults, budgetOf: (row: string) => string): string[] {
  const defenses = results.setup.defenses.map((d) => d.name);
  const lines = ['## On the images each attack fooled', ''];
  if (results.fooled.length === 0) {
    return [...lines, `Not measured: it needs the undefended classifier's clean verdict (defense \`${UNDEFENDED}\`).`, ''];
  }
  lines.push(
    'Images the undefended classifier gets right when clean and wrong after the attack: what a defense has to undo. ' +
      'Accuracy in % with its 95 % Wilson interval, n fooled images per cell.',
    '',
    `| attack | budget (pixels in [0, 1]) | fooled / clean-correct | ${defenses.join(' | ')} |`,
    `|---|---|---:|${defenses.map(() => '---:').join('|')}|`,
  );
  for (const subset of results.fooled) {
    const cells = defenses.map((d) => {
      const cell = subset.cells.find((c) => c.defense === d);
      return cell ? formatProportion(cell.accuracy) : '–';
    });
    lines.push(`| ${subset.row} | ${budgetOf(subset.row)} | ${subset.fooled} / ${subset.cleanCorrect} | ${cells.join(' | ')} |`);
  }
  return [...lines, ''];
}

function pairedSection(results: EvaluationResults, budgetOf: (row: string, describe: (budget: AttackBudget | null) => string) => string): string[] {
  if (results.pairedTests.length === 0) return [];
  const reference = results.pairedTests[0].reference;
  const lines = [
    `## ${reference} against each baseline, paired (McNemar)`,
    '',
    `On the same images: b = ${reference} right and the baseline wrong, c = the other way round. McNemar's exact test ` +
      `(b ~ Binomial(b + c, 1/2) under equal accuracy), two-sided p = min(1, 2 P(X <= min(b, c))); mid-p = p - P(X = min(b, c)), ` +
      `less conservative, beside it. "more accurate" names the winner at exact p < ${SIGNIFICANCE_LEVEL}, else neither. ` +
      `BPDA pairs each source image across defenses, each defense facing its own adaptive attack. ` +
      `Budgets in short (pixels in [0, 1]; in full in the accuracy table): ||x'-x||/||x|| is the paper's normalised L2 dissimilarity, ` +
      `||x'-x||/sqrt(HWC) the per-pixel-normalised L2, "else clean": the clean image is used where the attack needed more.`,
    '',
    `| attack | budget (pixels in [0, 1]) | baseline | n | b | c | ${reference} - baseline (points) | exact p | mid-p | more accurate |`,
    '|---|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const t of results.pairedTests) {
    const label = t.row === BPDA_ROW ? 'BPDA' : t.row;
    const difference = (100 * (t.b - t.c)) / t.pairs;
    lines.push(
      `| ${label} | ${budgetOf(t.row, shortBudget)} | ${t.baseline} | ${t.pairs} | ${t.b} | ${t.c} | ${difference >= 0 ? '+' : ''}${difference.toFixed(1)} | ${formatP(t.exactP)} | ${formatP(t.midP)} | ${t.better} |`,
    );
  }
  const attackRows = [...new Set(results.pairedTests.filter((t) => t.row !== CLEAN_ROW && t.row !== BPDA_ROW).map((t) => t.row))];
  const wins = attackRows.filter((row) => results.pairedTests.filter((t) => t.row === row).every((t) => t.better === reference));
  lines.push(
    '',
    `${reference} is more accurate than every baseline (exact p < ${SIGNIFICANCE_LEVEL}) in ${wins.length} of ${attackRows.length} attack rows` +
      (wins.length ? ` (${wins.join(', ')})` : '') +
      '.',
    '',
  );
  return lines;
}

export function formatP(p: number): string {
  if (p >= 0.001) return p.toFixed(4);
  return p.toExponential(1);
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : '–';
}

/** Text inside a table cell: a bare | (as in ||delta||_2) would end the cell. */
function tableCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function formatProportion(p: Proportion): string {
  if (p.total === 0) return '–';
  return `${(100 * p.value).toFixed(1)} [${(100 * p.ci95[0]).toFixed(1)}–${(100 * p.ci95[1]).toFixed(1)}] n=${p.total}`;
}
