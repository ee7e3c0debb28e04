import { DEFAULT_AUDIT_EXCERPT_LIMIT } from '../../case/report/gather-report.ts';
import { defaultReportPath, formatFromPath, REPORT_FORMATS, writeReports, type ReportTarget } from '../../case/report/write-report.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { caseOption, examinerOption, withCase } from './case-options.ts';

export const caseReportCommand = defineCommand({
  name: 'report',
  summary: 'write an audit report of the case (HTML, PDF, JSON) and record its SHA-256 in the case',
  description: [
    'The case is verified first (audit chain, append-only guards, every evidence file and purified output; the check is recorded in the audit log) and every evidence file is re-hashed as it is read. The report gives the case, requester and examiner, the tool version and git commit, OS/Node/Electron versions, for each item its SHA-256, MD5 and PDQ, tags and notes, every purification run (bundle and manifest hash, parameters, seed, cluster chosen and any override with its reason, output SHA-256 and PDQ, PDQ distance) with the classifier verdicts before and after, the audit log, the verification result and the limitations of all this.',
    'HTML is one self-contained file (no network access); PDF uses the built-in Helvetica; JSON is the same content, machine-readable. Thumbnails are blurred and greyscale unless --no-blur. Each file is written atomically and its SHA-256 recorded in the case (see acsr case show).',
  ].join('\n\n'),
  examples: [
    'acsr case report --case cases/2026-0042 --format html pdf json --examiner "A. Jones"',
    'acsr case report --case cases/2026-0042 --out /media/export/2026-0042.pdf --examiner "A. Jones" --no-blur',
  ],
  options: {
    case: caseOption,
    format: { type: 'string', multiple: true, choices: REPORT_FORMATS, valueName: 'html|pdf|json', description: "formats to write into the case's reports/ folder" },
    out: { type: 'string', multiple: true, valueName: 'FILE', description: 'report files to write; the format follows the extension (.html, .pdf, .json)' },
    examiner: examinerOption,
    blur: { type: 'boolean', default: true, description: 'blur and grey the thumbnails (--no-blur shows them as they are)' },
    auditEntries: { type: 'integer', min: 1, default: DEFAULT_AUDIT_EXCERPT_LIMIT, valueName: 'N', description: 'print the whole audit log up to N entries, else its latest N' },
  },
  async run({ options, print, note, progress, signal }) {
    if (options.format.length + options.out.length === 0) throw new UsageError('give --format html|pdf|json or --out FILE (or both)');
    return withCase(options.case, note, async (caseFolder) => {
      const now = new Date();
      const targets: ReportTarget[] = [
        ...options.out.map((path) => ({ format: formatFromPath(path), path })),
        ...options.format.map((format) => ({ format, path: defaultReportPath(caseFolder, format, now) })),
      ];
      const written = await writeReports(caseFolder, targets, { examiner: options.examiner, blur: options.blur, auditExcerptLimit: options.auditEntries, progress, signal });
      for (const report of written) print(`${report.format.padEnd(4)}  ${report.path}  sha256 ${report.sha256}  (report ${report.reportId})`);
      const verified = written[0]?.verificationOk ?? true;
      if (!verified) note('the case FAILED verification; the report says where (see also acsr case verify)');
      const checkpoint = written[0]?.checkpoint;
      if (checkpoint) print(`checkpoint  entry ${checkpoint.sequence}, head ${checkpoint.headSha256}, signed with key ${checkpoint.keyFingerprint}`);
      print(`${written.length} report${written.length === 1 ? '' : 's'} written and recorded in the case${verified ? '' : '; case verification FAILED'}`);
      return { verificationOk: verified, checkpoint, reports: written.map(({ reportId, format, path, sha256, sizeBytes }) => ({ reportId, format, path, sha256, sizeBytes })) };
    });
  },
});
