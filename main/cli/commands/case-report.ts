import { DEFAULT_AUDIT_EXCERPT_LIMIT } from '../../case/report/gather-report.ts';
import { parseCategory } from '../../case/tag-categories.ts';
import { REPORT_FORMATS } from '../../case/report/write-report.ts';
import { runAction } from '../../actions/define-action.ts';
import { writeReportAction } from '../../actions/write-report-action.ts';
import { actionControl } from '../action-control.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { caseOption, examinerOption } from './case-options.ts';

export const caseReportCommand = defineCommand({
  name: 'report',
  summary: 'write an audit report of the case (HTML, PDF, JSON) and record its SHA-256 in the case',
  description: [
    'The case is verified first (audit chain, append-only guards, every evidence file and purified output; the check is recorded in the audit log) and every evidence file is re-hashed as it is read. The report gives the case, requester and examiner, the tool version and git commit, OS/Node/Electron versions, for each item its SHA-256, MD5 and PDQ, tags and notes, every purification run (bundle and manifest hash, parameters, seed, cluster chosen and any override with its reason, output SHA-256 and PDQ, PDQ distance) with the classifier verdicts before and after, the audit log, the verification result and the limitations of all this.',
    'HTML is one self-contained file with a table of contents (no network access); PDF uses the built-in Helvetica; JSON is the same content, machine-readable. Thumbnails are blurred and greyscale unless --no-blur. One run is one report: its files share one report id, and each file is written atomically and its SHA-256 recorded in the case (see acsr case show).',
    'With --items or --category the report covers only those items (the verification still covers the whole case); the choice is printed in the report and recorded in the audit log. Camera metadata (EXIF) is shown for each item: camera, time taken, and whether a position is recorded; the coordinates themselves only with --gps-coordinates.',
  ].join('\n\n'),
  examples: [
    'acsr case report --case cases/2026-0042 --format html pdf json --examiner "A. Jones"',
    'acsr case report --case cases/2026-0042 --out /media/export/2026-0042.pdf --examiner "A. Jones" --no-blur',
    'acsr case report --case cases/2026-0042 --format pdf --category CAT-1 --examiner "A. Jones"',
    'acsr case report --case cases/2026-0042 --format html --items 3 7 12 --examiner "A. Jones"',
  ],
  options: {
    case: caseOption,
    format: {
      type: 'string',
      multiple: true,
      choices: REPORT_FORMATS,
      valueName: 'html|pdf|json',
      description: "formats to write into the case's reports/ folder",
    },
    out: { type: 'string', multiple: true, valueName: 'FILE', description: 'report files to write; the format follows the extension (.html, .pdf, .json)' },
    examiner: examinerOption,
    blur: { type: 'boolean', default: true, description: 'blur and grey the thumbnails (--no-blur shows them as they are)' },
    auditEntries: {
      type: 'integer',
      min: 1,
      default: DEFAULT_AUDIT_EXCERPT_LIMIT,
      valueName: 'N',
      description: 'print the whole audit log up to N entries, else its latest N',
    },
    items: { type: 'integer', multiple: true, min: 1, valueName: 'ID', description: 'report only these evidence items' },
    category: { type: 'string', valueName: 'CAT-n', description: 'report only the items whose category is this one (CAT-0..CAT-5)' },
    gpsCoordinates: { type: 'boolean', description: 'print the GPS coordinates found in EXIF (by default only whether a position is recorded)' },
  },
  async run(context) {
    const { options, print, note } = context;
    if (options.format.length + options.out.length === 0) throw new UsageError('give --format html|pdf|json or --out FILE (or both)');
    if (options.items.length > 0 && options.category !== undefined) throw new UsageError('give --items or --category, not both');
    const scope = { itemIds: options.items, ...(options.category !== undefined ? { category: parseCategory(options.category) } : {}) };
    const written = await runAction(
      writeReportAction,
      {
        caseFolder: options.case,
        examiner: options.examiner,
        blur: options.blur,
        auditEntries: options.auditEntries,
        scope,
        gpsCoordinates: options.gpsCoordinates === true,
        targets: [...options.out.map((path) => ({ path })), ...options.format.map((format) => ({ format }))],
      },
      actionControl(context),
    );
    if (written[0]) print(`report ${written[0].reportId}`);
    for (const report of written) print(`${report.format.padEnd(4)}  ${report.path}  sha256 ${report.sha256}`);
    const verified = written[0]?.verificationOk ?? true;
    if (!verified) note('the case FAILED verification; the report says where (see also acsr case verify)');
    const checkpoint = written[0]?.checkpoint;
    if (checkpoint) print(`checkpoint  entry ${checkpoint.sequence}, head ${checkpoint.headSha256}, signed with key ${checkpoint.keyFingerprint}`);
    print(
      `1 report in ${written.length} file${written.length === 1 ? '' : 's'} written and recorded in the case${verified ? '' : '; case verification FAILED'}`,
    );
    return {
      reportId: written[0]?.reportId,
      verificationOk: verified,
      checkpoint,
      reports: written.map(({ reportId, recordUid, format, path, sha256, sizeBytes }) => ({ reportId, recordUid, format, path, sha256, sizeBytes })),
    };
  },
});
