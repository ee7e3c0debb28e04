import { checkAuditChain } from '../../case/audit-chain.ts';
import type { CaseFolder } from '../../case/case-folder.ts';
import { displayPath } from '../../case/display-path.ts';
import { importFailures } from '../../case/import-failures.ts';
import type { EvasionRecord } from '../../case/records.ts';
import { CATEGORY_LABELS, type CategoryCode } from '../../case/tag-categories.ts';
import { describeHashMatch } from '../../case/hash-match-view.ts';
import { caseNearDuplicateGroups } from '../../case/near-duplicates.ts';
import { defineCommand } from '../command.ts';
import { caseOption, withCase } from './case-options.ts';

export const caseShowCommand = defineCommand({
  name: 'show',
  summary: 'show a case (jobs, notes, reports, audit-log head) or one item in full',
  options: {
    case: caseOption,
    item: { type: 'integer', min: 1, valueName: 'ID', description: 'show this evidence item: hashes, tags, notes, runs, verdicts and its audit entries' },
  },
  async run({ options, print, note }) {
    // Opened for writing so that jobs left running by a killed process are marked and shown as interrupted.
    return withCase(options.case, note, async (caseFolder) =>
      options.item === undefined ? showCase(caseFolder, print) : showItem(caseFolder, options.item, print),
    );
  },
});

function showCase(caseFolder: CaseFolder, print: (line?: string) => void) {
  const { db } = caseFolder;
  const record = db.getCase();
  const items = db.listItems();
  const categories: Record<string, number> = {};
  for (const item of items) categories[item.category ?? 'none'] = (categories[item.category ?? 'none'] ?? 0) + 1;
  const jobs = db.jobs();
  const notes = db.notes({ itemId: null });
  const reports = db.reports();
  const notImported = importFailures(db);
  // A quick look at the chain; `acsr case verify` also checks every evidence file.
  const chain = checkAuditChain(db.auditRows());
  print(`case       ${record.number}  ${record.title}`);
  print(`requester  ${record.requester ?? '-'}`);
  print(`created    ${record.createdAt} by ${record.createdBy}${record.closedAt ? `, closed ${record.closedAt}` : ''}`);
  print(`folder     ${caseFolder.folder}`);
  print(
    `items      ${items.length} (${
      Object.entries(categories)
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ') || 'none'
    })`,
  );
  print(`audit log  ${chain.entries} entries, head ${chain.headSha256}${chain.broken ? `, BROKEN at entry ${chain.broken.sequence}` : ''}`);
  for (const job of jobs) {
    print(
      `job ${job.id}      ${job.kind} ${job.state}, ${job.progressDone}/${job.progressTotal ?? '?'}, started ${job.createdAt} by ${job.examiner}${job.error ? ` (${job.error})` : ''}`,
    );
  }
  for (const failure of notImported) print(`not imported  ${failure.file}: ${failure.reason} (import ${failure.caseJobId})`);
  for (const caseNote of notes) print(`note       ${caseNote.createdAt} ${caseNote.examiner}: ${caseNote.text}`);
  for (const report of reports) print(`report     ${report.reportUid} ${report.format} ${report.path} sha256 ${report.sha256}`);
  // Printed (and in the JSON) only when there is something, so cases without keep their output.
  const hashMatches = db.hashMatches();
  const matchedItems = new Set(hashMatches.map((match) => match.itemId)).size;
  if (matchedItems > 0) print(`hash lists ${matchedItems} item${matchedItems === 1 ? '' : 's'} match a known-content list (${hashMatches.length} matches)`);
  const nearDuplicateGroups = caseNearDuplicateGroups(db);
  for (const group of nearDuplicateGroups) print(`near-dups  items ${group.members.join(', ')} (shown as item ${group.representative})`);
  return {
    case: record,
    itemCount: items.length,
    categories,
    jobs,
    notes,
    reports,
    importFailures: notImported,
    ...(matchedItems > 0 ? { hashMatches: { matchedItems, matches: hashMatches } } : {}),
    ...(nearDuplicateGroups.length > 0 ? { nearDuplicateGroups } : {}),
    auditLog: { entries: chain.entries, headSha256: chain.headSha256, broken: chain.broken },
  };
}

function showItem(caseFolder: CaseFolder, itemId: number, print: (line?: string) => void) {
  const { db } = caseFolder;
  const item = db.getItem(itemId);
  const tags = db.tagsOf(itemId);
  const notes = db.notes({ itemId });
  const runs = db.purificationRuns(itemId);
  const verdicts = db.verdicts(itemId);
  const audit = [...db.auditRows({ subject: `item:${itemId}` })].map((row) => ({ ...row, parameters: JSON.parse(row.parameters) as unknown }));
  // The latest category not taken back by an undo is the item's category.
  const category = [...tags].reverse().find((tag) => tag.kind === 'category' && !tag.reversed)?.value as CategoryCode | undefined;
  print(`item        ${item.id}  ${displayPath(item.originalName)}`);
  print(`original    ${displayPath(item.originalPath)}`);
  print(`stored      ${item.storePath}`);
  print(`type        ${item.mediaType}, ${item.width} x ${item.height}, ${item.sizeBytes} bytes`);
  print(`sha256      ${item.sha256}`);
  print(`md5         ${item.md5}`);
  print(`pdq         ${item.pdqHash} (quality ${item.pdqQuality})`);
  print(`imported    ${item.importedAt} by ${item.examiner} (job ${item.importJobId ?? '-'})`);
  for (const decodeNote of item.decodeNotes) print(`decoding    ${decodeNote}`);
  print(`category    ${category ? `${category} (${CATEGORY_LABELS[category]})` : '-'}`);
  for (const tag of tags)
    print(
      `tag         ${tag.createdAt} ${tag.examiner}: ${tag.kind === 'category' ? 'category ' : ''}${tag.value}${tag.comment ? ` - ${tag.comment}` : ''}${tag.reversed ? ' (undone)' : ''}`,
    );
  for (const itemNote of notes) print(`note        ${itemNote.createdAt} ${itemNote.examiner}: ${itemNote.text}`);
  for (const run of runs) {
    const override = run.override ? `, overridden to cluster ${run.override.cluster} by ${run.override.examiner} (${run.override.reason})` : '';
    print(
      `purified    run ${run.id} ${run.createdAt}: bundle ${run.bundleId}, cluster ${run.chosenCluster}${override}, output ${run.outputSha256}, PDQ distance ${run.pdqDistance}`,
    );
  }
  // Only runs with a score: the output for runs without keeps the shape older versions printed.
  for (const run of runs) if (run.evasion) print(`evasion     run ${run.id}: ${evasionLine(run.evasion)}`);
  for (const verdict of verdicts) print(`verdict     ${verdict.stage} (${verdict.modelId}): ${verdict.topClass} ${JSON.stringify(verdict.scores)}`);
  const hashMatches = db.hashMatches(itemId);
  for (const match of hashMatches) print(`hash list   ${describeHashMatch(match)}`);
  const nearDuplicates =
    caseNearDuplicateGroups(db)
      .find((group) => group.members.includes(itemId))
      ?.members.filter((id) => id !== itemId) ?? [];
  if (nearDuplicates.length > 0) print(`near-dups   items ${nearDuplicates.join(', ')}`);
  for (const entry of audit) print(`audit #${entry.sequence}  ${entry.time} ${entry.examiner} ${entry.action}`);
  // `reversed` only where a tag was undone, so the JSON of cases without undos keeps its shape.
  const tagsShown = tags.map(({ reversed, ...tag }) => (reversed ? { ...tag, reversed } : tag));
  return {
    item,
    category: category ?? null,
    tags: tagsShown,
    notes,
    purificationRuns: runs,
    verdicts,
    // Only where there are some, so the JSON of items without keeps its shape.
    ...(hashMatches.length > 0 ? { hashMatches } : {}),
    ...(nearDuplicates.length > 0 ? { nearDuplicates } : {}),
    auditEntries: audit,
  };
}

function evasionLine(evasion: EvasionRecord): string {
  const verdict = evasion.suspected ? 'suspected evasion' : 'below the threshold';
  return `score ${evasion.score.toFixed(3)}, threshold ${evasion.threshold.toFixed(3)} (${Math.round(evasion.falsePositiveTarget * 100)}% false positives): ${verdict}`;
}
