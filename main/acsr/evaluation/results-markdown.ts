/**
 * The Markdown report of an evaluation: the accuracy table in the shape of the paper's Tables 2-5
 * (rows: clean and each attack; columns: defenses), with every budget's normalisation spelled
 * out, because "eps 0.04" means nothing until one says in which norm and units.
 */
import type { AttackBudget } from '../attacks/attack-types.ts';
import type { Proportion } from './confidence-interval.ts';
import { BPDA_ROW, CLEAN_ROW, type EvaluationResults } from './evaluation-results.ts';

export function describeBudget(budget: AttackBudget | null): string {
  if (budget === null) return 'minimal-norm attack (no budget; achieved norms below)';
  return budget.norm === 'linf'
    ? `Linf <= ${budget.epsilon} in [0, 1] pixel units (${(budget.epsilon * 255).toFixed(1)}/255)`
    : `L2 <= ${budget.epsilon} per-pixel-normalised (||delta||_2 / sqrt(H W C), [0, 1] units)`;
}

export function resultsMarkdown(results: EvaluationResults): string {
  const { setup } = results;
  const defenses = setup.defenses.map((d) => d.name);
  const lines: string[] = [];
  lines.push(`# Evaluation: ${setup.model.id} on ${setup.data.description}`, '');
  if (!results.complete) lines.push('**Incomplete run**: resume it with the same command to fill the missing cells.', '');
  lines.push(`Classifier \`${setup.model.id}\` (${setup.model.backend} backend)` +
    (setup.bundle ? `; bundle \`${setup.bundle.path}\` (extractor \`${setup.bundle.extractor}\`, manifest SHA-256 ${setup.bundle.manifestSha256.slice(0, 16)}…)` : '') +
    `; seed ${setup.seed}. Accuracy in % with its 95 % Wilson interval; n images per cell.`, '');

  lines.push(`| attack | ${defenses.join(' | ')} |`, `|---|${defenses.map(() => '---:').join('|')}|`);
  for (const row of results.rows) {
    const label = row === BPDA_ROW ? `BPDA ${setup.adaptive?.attack ?? ''} (adaptive, per defense)` : row;
    const cells = defenses.map((d) => {
      const cell = results.cells.find((c) => c.row === row && c.defense === d);
      return cell ? formatProportion(cell.accuracy) : '–';
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  lines.push('');

  lines.push('## Attacks', '', '| attack | budget | success vs. target classifier | mean / median L2 per pixel | mean Linf (0-255) | s per image |', '|---|---|---:|---:|---:|---:|');
  for (const a of results.attacks) {
    lines.push(`| ${a.row} | ${tableCell(describeBudget(a.budget))} | ${formatProportion(a.success)} | ${a.meanL2PerPixel.toFixed(4)} / ${a.medianL2PerPixel.toFixed(4)} | ${a.meanLinf255.toFixed(2)} | ${a.secondsPerImage.toFixed(2)} |`);
  }
  lines.push('');

  if (results.clusterAgreement.length > 0) {
    lines.push('## Cluster agreement under attack', '', 'Share of attacked images whose selected cluster equals the clean image\'s.', '',
      '| attack | defense | agreement |', '|---|---|---:|');
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
    lines.push(`BPDA: ${setup.adaptive.attack} against f(defense(x)) with the defense's backward pass taken as the identity` +
      `; randomised defenses average ${setup.adaptive.eotSamples} draws per gradient (EOT).`, '');
  }
  lines.push('Plots: `accuracy-by-attack.png` (bars with 95 % intervals), `accuracy-vs-budget.png` (attacks run at several budgets).', '');
  return lines.join('\n');
}

/** Text inside a table cell: a bare | (as in ||delta||_2) would end the cell. */
function tableCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function formatProportion(p: Proportion): string {
  if (p.total === 0) return '–';
  return `${(100 * p.value).toFixed(1)} [${(100 * p.ci95[0]).toFixed(1)}–${(100 * p.ci95[1]).toFixed(1)}] n=${p.total}`;
}
