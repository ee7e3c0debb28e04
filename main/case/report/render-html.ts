/**
 * The HTML report: one file that opens anywhere, offline. CSS is inline, thumbnails are data:
 * URIs, there is no script, and a Content-Security-Policy forbids the page from loading anything,
 * so opening a report never contacts a server (which would tell a third party that it was read).
 */
import { registeredModelName } from '../../acsr/models/model-registry.ts';
import { parameterRows } from './parameter-rows.ts';
import type { CaseReport, ReportItem, ReportNote, ReportPurificationRun, ReportVerdict } from './report-model.ts';
import {
  auditSubjectText,
  bytesText,
  checkpointLine,
  clusterText,
  exifRows,
  exportFilesText,
  integrityText,
  overrideText,
  pdqDistanceText,
  reportTitle,
  scoresText,
  thumbnailModeText,
  timingsText,
  verificationHeadline,
} from './report-text.ts';
import { thumbnailDataUri, type Thumbnail } from './thumbnails.ts';
import { HASH_MATCH_HEADERS, hashListVersionLines, hashMatchRows, nearDuplicateLines, TRIAGE_INTRO } from './report-triage.ts';
import { EVASION_TABLE_NOTE, evasionHeadline, evasionSignalRows } from './evasion-text.ts';

const STYLE = `
  body { font: 13px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1b1b; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; border-bottom: 2px solid #333; padding-bottom: 2px; margin-top: 28px; }
  h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 13px; margin: 12px 0 4px; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
  th, td { border: 1px solid #c8c8c8; padding: 3px 6px; text-align: left; vertical-align: top; }
  th { background: #f0f0f0; font-weight: 600; } table.kv th { width: 210px; }
  .hash, code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; word-break: break-all; }
  .banner { padding: 8px 12px; margin: 12px 0; border-radius: 4px; font-weight: 600; }
  .ok { background: #e3f4e1; border: 1px solid #5c9e55; } .failed { background: #fbe3e1; border: 1px solid #c0392b; color: #8b1d12; }
  .item { border: 1px solid #999; border-radius: 4px; padding: 8px 12px; margin: 14px 0; page-break-inside: avoid; }
  .item-head { display: flex; gap: 16px; align-items: flex-start; }
  figure { margin: 0; text-align: center; font-size: 11px; color: #555; } figure img { display: block; border: 1px solid #888; }
  .muted { color: #666; } ul { margin: 4px 0 8px 18px; padding: 0; }
  nav.toc { border: 1px solid #c8c8c8; border-radius: 4px; padding: 6px 14px; margin: 12px 0; background: #fafafa; }
  nav.toc ol { margin: 4px 0; padding-left: 20px; } nav.toc ol ol { columns: 2; font-size: 12px; }
  table.params { width: auto; min-width: 60%; margin: 0; } table.params th { font-weight: 400; background: #f7f7f7; }
  table.params td, table.params th { padding: 1px 6px; font-size: 12px; }
  @media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } nav.toc { page-break-after: always; } }
`;

export function renderHtml(report: CaseReport, thumbnails: ReadonlyMap<string, Thumbnail>): Buffer {
  const v = report.verification;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="report-id" content="${esc(report.reportId)}">
<title>${esc(reportTitle(report))}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(reportTitle(report))}: ${esc(report.case.title)}</h1>
<div>Report id <span class="hash">${esc(report.reportId)}</span> &middot; generated ${esc(report.generatedAt)} (UTC) by ${esc(report.examiner)}</div>
<div>Covers ${esc(report.scope.description)}.</div>
<div class="muted">Files of this report: ${esc(exportFilesText(report))}.</div>
</header>
<div class="banner ${v.ok ? 'ok' : 'failed'}" id="verification-result">${esc(verificationHeadline(report))}</div>
${tableOfContents(report)}

<h2 id="case">Case</h2>
${kvTable([
  ['Case number', esc(report.case.number)],
  ['Title', esc(report.case.title)],
  ['Requester', esc(report.case.requester ?? '-')],
  ['Created', `${esc(report.case.createdAt)} by ${esc(report.case.createdBy)}`],
  ['Closed', esc(report.case.closedAt ?? 'open')],
  ['Case folder', `<code>${esc(report.case.folder)}</code>`],
  ['Examiner (this report)', esc(report.examiner)],
  ['Report covers', esc(report.scope.description)],
])}
${report.case.notes.length > 0 ? `<h4>Case notes</h4>${notesList(report.case.notes)}` : ''}

<h2 id="tool">Tool and environment</h2>
${kvTable([
  ['Tool', `${esc(report.tool.name)} ${esc(report.tool.version)}`],
  [
    'Git commit',
    `<span class="hash">${esc(report.tool.gitCommit)}</span>${report.tool.gitWorkingTreeModified ? ' (working tree had uncommitted changes)' : ''}`,
  ],
  ['Operating system', esc(report.environment.os)],
  ['Node.js', esc(report.environment.node)],
  ['Electron', esc(report.environment.electron)],
  ['SQLite', esc(report.environment.sqlite)],
  ['Host', esc(report.environment.host)],
])}

<h2 id="verification">Verification</h2>
${kvTable([
  ['Result', v.ok ? 'passed' : '<strong>FAILED</strong>'],
  ['Checked at', esc(v.checkedAt)],
  ['Recorded as audit entry', esc(String(v.auditSequence ?? '-'))],
  ['Audit entries checked', String(v.auditEntriesChecked)],
  ['Audit head SHA-256', `<span class="hash">${esc(v.auditHeadSha256 ?? '-')}</span>`],
  ['Evidence files checked', String(v.itemsChecked)],
  ['Purified outputs checked', String(v.outputsChecked)],
  ['Report files checked', String(v.reportsChecked)],
  ['Latest signed checkpoint', esc(checkpointLine(v))],
  ['First broken link', esc(v.firstBrokenLink ?? 'none')],
])}
${
  v.problems.length > 0
    ? table(
        ['Kind', 'Where', 'Problem'],
        v.problems.map((p) => [esc(p.kind), esc(p.where), esc(p.reason)]),
      )
    : ''
}
${report.scope.kind === 'case' ? '' : '<p class="muted">Verification covers the whole case, not only the items of this report.</p>'}

<h2 id="summary">Summary</h2>
${kvTable([
  [
    'Evidence items',
    report.scope.kind === 'case' ? String(report.summary.items) : `${report.summary.items} in this report, of ${report.summary.itemsInCase} in the case`,
  ],
  ['Items failing integrity', String(report.summary.itemsFailingIntegrity)],
  ['Purification runs', `${report.summary.purificationRuns} (${report.summary.overriddenRuns} with an examiner's cluster override)`],
  ['Classifier verdicts', String(report.summary.verdicts)],
])}
${
  report.bundles.length > 0
    ? `<h4>Reference bundles</h4>${table(
        ['Bundle', 'Manifest SHA-256', 'Runs'],
        report.bundles.map((b) => [esc(b.id), hash(b.manifestSha256), String(b.runs)]),
      )}`
    : ''
}
${
  report.models.length > 0
    ? `<h4>Classifier models</h4>${table(
        ['Model', 'Weights SHA-256', 'Verdicts'],
        report.models.map((m) => [modelCell(m.id), hash(m.weightsSha256), String(m.verdicts)]),
      )}`
    : ''
}

<h2 id="triage">Hash lists and near-duplicates</h2>
<p class="muted">${esc(TRIAGE_INTRO)}</p>
${kvTable([
  ['Items matching a hash list', String(report.hashLists.matchedItems)],
  ['List versions', hashListVersionLines(report).map(esc).join('<br>') || 'none'],
])}
${
  report.hashLists.matches.length > 0
    ? table(
        HASH_MATCH_HEADERS,
        hashMatchRows(report).map((row) => row.map(esc)),
      )
    : '<p>No item matches a hash list.</p>'
}
<h4>Near-duplicate groups</h4>
${
  report.nearDuplicateGroups.length > 0
    ? `<ul>${nearDuplicateLines(report)
        .map((line) => `<li>${esc(line)}</li>`)
        .join('')}</ul>`
    : '<p>No near-duplicates.</p>'
}

<h2 id="items">Evidence items</h2>
<p class="muted">${esc(thumbnailModeText(report))}</p>
${report.items.length === 0 ? '<p>No evidence items in this report.</p>' : ''}
${report.items.map((item) => itemSection(report, item, thumbnails)).join('\n')}

<h2 id="audit">Audit log</h2>
<p>${esc(report.audit.totalEntries)} entries, head SHA-256 <span class="hash">${esc(report.audit.headSha256 ?? '-')}</span>. Printed: ${esc(report.audit.excerptPolicy)}.</p>
${table(
  ['#', 'Time (UTC)', 'Examiner', 'Action', 'About', 'Details', 'SHA-256'],
  report.audit.excerpt.map((e) => [
    String(e.sequence),
    esc(e.time),
    esc(e.examiner),
    esc(e.action),
    esc(auditSubjectText(report, e)),
    parameterTable(e.parameters),
    hash(e.sha256),
  ]),
)}

<h2 id="limitations">Limitations</h2>
<ul>${report.limitations.map((line) => `<li>${esc(line)}</li>`).join('\n')}</ul>

<h2 id="checking">Checking this report</h2>
<p>${esc(report.selfVerification)}</p>
<footer class="muted">${esc(report.tool.name)} ${esc(report.tool.version)} &middot; report ${esc(report.reportId)} &middot; ${esc(report.format)} v${report.formatVersion}</footer>
</body>
</html>
`;
  return Buffer.from(html, 'utf8');
}

function itemMatchText(report: CaseReport, itemId: number): string {
  const rows = hashMatchRows(report, itemId);
  return rows.length === 0 ? 'no match' : rows.map(([, list, line, category, how]) => esc(`${list} line ${line}, ${category}: ${how}`)).join('<br>');
}

function itemSection(report: CaseReport, item: ReportItem, thumbnails: ReadonlyMap<string, Thumbnail>): string {
  const thumbnail = thumbnails.get(`item:${item.id}`);
  const figure = thumbnail
    ? `<figure><img src="${thumbnailDataUri(thumbnail)}" width="${thumbnail.width}" height="${thumbnail.height}" alt="item ${item.id} thumbnail" data-thumbnail="item:${item.id}">evidence</figure>`
    : `<figure class="muted">${item.integrity.ok ? 'no thumbnail' : 'not shown: the file does not match its record'}</figure>`;
  return `<section class="item" id="item-${item.id}">
<h3>Item ${item.id}: ${esc(item.originalName)}</h3>
<div class="item-head">${figure}<div style="flex:1">
${kvTable([
  ['Integrity (re-checked now)', item.integrity.ok ? esc(integrityText(true)) : `<strong>${esc(integrityText(false, item.integrity.problem))}</strong>`],
  ['SHA-256', hash(item.sha256)],
  ['MD5', hash(item.md5)],
  ['PDQ', `${hash(item.pdq.hash)} quality ${item.pdq.quality}${item.pdq.reliable ? '' : ' (unreliable: quality 49 or less)'}`],
  ['Type and size', `${esc(item.mediaType)}, ${item.width} x ${item.height} px, ${esc(bytesText(item.sizeBytes))}`],
  ['Original path', `<code>${esc(item.originalPath)}</code>`],
  ['Stored as', `<code>${esc(item.storePath)}</code>`],
  ['Imported', `${esc(item.importedAt)} by ${esc(item.importedBy)}`],
  ...(item.decodeNotes.length > 0 ? [['Decoding', esc(item.decodeNotes.join('; '))] as [string, string]] : []),
  ['Category', item.category ? `${esc(item.category.code)} (${esc(item.category.label)})` : 'none'],
  ['Hash lists', itemMatchText(report, item.id)],
  ...exifRows(item.exif).map(([key, value]): [string, string] => [key, esc(value)]),
])}
</div></div>
${
  item.tags.length > 0
    ? `<h4>Tags (history, oldest first)</h4>${table(
        ['Kind', 'Value', 'Comment', 'Examiner', 'Time (UTC)'],
        item.tags.map((t) => [esc(t.undone ? `${t.kind} (undone)` : t.kind), esc(t.value), esc(t.comment ?? ''), esc(t.examiner), esc(t.createdAt)]),
      )}`
    : ''
}
${item.notes.length > 0 ? `<h4>Notes</h4>${notesList(item.notes)}` : ''}
${item.purificationRuns.map((run) => runSection(run, thumbnails)).join('\n')}
${item.otherVerdicts.length > 0 ? `<h4>Other classifier verdicts</h4>${verdictTable(item.otherVerdicts)}` : ''}
</section>`;
}

function runSection(run: ReportPurificationRun, thumbnails: ReadonlyMap<string, Thumbnail>): string {
  const thumbnail = thumbnails.get(`run:${run.id}`);
  const figure = thumbnail
    ? `<figure><img src="${thumbnailDataUri(thumbnail)}" width="${thumbnail.width}" height="${thumbnail.height}" alt="purified output of run ${run.id}" data-thumbnail="run:${run.id}">purified</figure>`
    : '';
  return `<h4>Purification run ${run.id} (${esc(run.createdAt)}, ${esc(run.examiner)})</h4>
<div class="item-head">${figure}<div style="flex:1">
${kvTable([
  ['Bundle', `${esc(run.bundle.id)}, manifest ${hash(run.bundle.manifestSha256)}`],
  ['Cluster chosen by distance', esc(clusterText(run.chosenCluster))],
  ['Cluster used', esc(clusterText(run.usedCluster))],
  ['Overridden', run.overridden ? `<strong>${esc(overrideText(run))}</strong>` : esc(overrideText(run))],
  ['Output SHA-256', `${hash(run.output.sha256)} (${esc(integrityText(run.output.integrityOk))})`],
  ['Output PDQ', `${hash(run.output.pdqHash)} quality ${run.output.pdqQuality}`],
  ['PDQ distance input to output', esc(pdqDistanceText(run))],
  ['Backend', esc(run.backend)],
  ['Seed', esc(String(run.seed ?? '-'))],
  ['Timings', esc(timingsText(run.timingsMs))],
  ['Job number', esc(String(run.jobId ?? '-'))],
])}
<h4>Settings and results recorded with the run</h4>
${parameterTable(run.parameters, ['clusterIds'])}
</div></div>
${table(
  ['Cluster', 'Mahalanobis distance', ''],
  run.clusterDistances.map((c) => [
    esc(clusterText(c)),
    c.distance.toPrecision(6),
    [c.index === run.chosenCluster.index ? 'nearest' : '', c.index === run.usedCluster.index ? 'used' : ''].filter(Boolean).join(', '),
  ]),
)}
${run.verdictsBefore.length + run.verdictsAfter.length > 0 ? `<h4>Verdicts before and after</h4>${verdictTable([...run.verdictsBefore, ...run.verdictsAfter])}` : '<p class="muted">No classifier verdicts recorded for this run.</p>'}
${evasionSection(run)}`;
}

function evasionSection(run: ReportPurificationRun): string {
  const headline = `<p data-evasion="${run.evasion ? (run.evasion.suspected ? 'suspected' : 'clear') : 'none'}">Evasion check: ${run.evasion?.suspected ? `<strong>${esc(evasionHeadline(run.evasion))}</strong>` : esc(evasionHeadline(run.evasion))}</p>`;
  if (!run.evasion) return headline;
  return `<h4>Evasion check: was this image made to fool the filter?</h4>
${headline}
${table(
  ['Signal', 'What it measures', 'Value', 'Contribution'],
  evasionSignalRows(run.evasion).map((row) => [
    row.fired ? `<strong>${esc(row.signal)}</strong>` : esc(row.signal),
    esc(row.meaning),
    esc(row.value),
    row.fired ? `<strong>${esc(row.contribution)}</strong>` : esc(row.contribution),
  ]),
)}
<p class="muted">${esc(EVASION_TABLE_NOTE)}</p>`;
}

/** A model by the name people read, its registry id on the line below (the id is what identifies it). */
function modelCell(modelId: string): string {
  const name = registeredModelName(modelId);
  return name ? `${esc(name)}<br><span class="muted">model id ${esc(modelId)}</span>` : `model id ${esc(modelId)}`;
}

function verdictTable(verdicts: ReportVerdict[]): string {
  return table(
    ['Stage', 'Model', 'Weights SHA-256', 'Top class', 'Scores', 'Time (UTC)'],
    verdicts.map((v) => [
      esc(v.stage),
      modelCell(v.modelId),
      hash(v.modelWeightsSha256),
      `<strong>${esc(v.topClass)}</strong>`,
      esc(scoresText(v)),
      esc(v.createdAt),
    ]),
  );
}

/** Sections and items, linked to their anchors. */
function tableOfContents(report: CaseReport): string {
  const sections: [string, string][] = [
    ['case', 'Case'],
    ['tool', 'Tool and environment'],
    ['verification', 'Verification'],
    ['summary', 'Summary'],
    ['triage', 'Hash lists and near-duplicates'],
    ['items', 'Evidence items'],
    ['audit', 'Audit log'],
    ['limitations', 'Limitations'],
    ['checking', 'Checking this report'],
  ];
  const items = report.items.map((item) => `<li><a href="#item-${item.id}">Item ${item.id}: ${esc(item.originalName)}</a></li>`).join('');
  return `<nav class="toc" id="contents" aria-label="Contents"><strong>Contents</strong><ol>${sections
    .map(([id, title]) => `<li><a href="#${id}">${esc(title)}</a>${id === 'items' && items ? `<ol>${items}</ol>` : ''}</li>`)
    .join('')}</ol></nav>`;
}

/** Recorded settings or details as a small table, nested groups indented under their name. */
function parameterTable(parameters: unknown, skip: readonly string[] = []): string {
  const rows = parameterRows(parameters, skip);
  if (rows.length === 0) return '<span class="muted">none</span>';
  return `<table class="params">${rows
    .map(
      (row) =>
        `<tr><th style="padding-left:${6 + row.depth * 14}px">${row.value === '' ? `<strong>${esc(row.label)}</strong>` : esc(row.label)}</th><td>${/^[0-9a-f]{32,}$/.test(row.value) ? hash(row.value) : esc(row.value)}</td></tr>`,
    )
    .join('')}</table>`;
}

function notesList(notes: ReportNote[]): string {
  return `<ul>${notes.map((n) => `<li>${esc(n.text)} <span class="muted">(${esc(n.examiner)}, ${esc(n.createdAt)})</span></li>`).join('')}</ul>`;
}

/** `rows` cells are HTML already escaped by the caller. */
function kvTable(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([key, value]) => `<tr><th>${esc(key)}</th><td>${value}</td></tr>`).join('')}</table>`;
}

function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function hash(value: string): string {
  return `<span class="hash">${esc(value)}</span>`;
}

function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
