import { importEvidenceAction } from '../../actions/import-evidence-action.ts';
import { runAction } from '../../actions/define-action.ts';
import { loadModelRegistry } from '../../acsr/models/model-registry.ts';
import { DEFAULT_CLASSIFIER_ID } from '../../workstation/purification-catalogue.ts';
import { displayPath } from '../../case/display-path.ts';
import { DEFAULT_MAX_PIXELS } from '../../case/evidence-image.ts';
import { UsageError } from '../errors.ts';
import { defineCommand } from '../command.ts';
import { actionControl } from '../action-control.ts';
import { caseOption, examinerOption } from './case-options.ts';

export const caseImportCommand = defineCommand({
  name: 'import',
  summary: 'copy image files into the case (folders recursively), with hashes and PDQ',
  description: [
    'Each file is copied into the evidence store (the original is only read), hashed (SHA-256 and MD5 in the same pass), fully decoded and PDQ-hashed. Exact duplicates of evidence already in the case are skipped and listed.',
    "Files that cannot be evidence images (empty, truncated, not an image, unsupported format, too many pixels, needing more memory to decode than the import may use, larger than the case's disk can take, unreadable, unsafe names, links out of the folder, FIFOs) are listed with the reason and recorded in the audit log; the rest of the import goes on. The exit status is 0 even then: read the summary.",
    "Duplicates are recognised from the hash before any decoding. Decoding is bounded by memory: each image's decoded size is read from its header, and images decode together only while their sum stays within a quarter of the available memory (at most 1 GiB); one that needs more on its own is refused with the figure. Files of any size are streamed.",
    "The content filter (--classifier, nsfwjs's MobileNetV2 by default) scores every imported item on a thumbnail of its input size, loaded once and run in batches; each item's scores, the model and its weights hash are recorded with an audit entry, so items can be sorted by score before any purification. --classifier none skips it.",
    'Ctrl-C or a killed process leaves a job that --resume finishes, skipping the files already dealt with (and scoring the items that have no scores yet).',
  ].join('\n\n'),
  examples: [
    'acsr case import --case cases/2026-0042 --in /media/usb/DCIM --examiner "A. Jones"',
    'acsr case import --case cases/2026-0042 --resume --examiner "A. Jones"',
  ],
  options: {
    case: caseOption,
    in: { type: 'string', multiple: true, valueName: 'DIR|FILE', description: 'folders (searched recursively) and files to import' },
    examiner: examinerOption,
    classifier: {
      type: 'string',
      valueName: 'MODEL|none',
      description: 'content filter that scores every item (default nsfwjs-mobilenet-v2; none for no scores)',
    },
    resume: { type: 'boolean', description: 'continue the latest import that was interrupted or cancelled, instead of starting one' },
    maxPixels: {
      type: 'integer',
      min: 1,
      default: DEFAULT_MAX_PIXELS,
      valueName: 'N',
      description: 'refuse images with more pixels than this (decompression bombs)',
    },
  },
  async run(context) {
    const { options, print, json } = context;
    if (options.classifier !== undefined && options.classifier !== 'none' && !loadModelRegistry().models.some((model) => model.id === options.classifier)) {
      throw new UsageError(
        `unknown classifier '${options.classifier}' (registered: ${loadModelRegistry()
          .models.map((model) => model.id)
          .join(', ')}, or none)`,
      );
    }
    if (options.resume === options.in.length > 0)
      throw new UsageError(options.resume ? '--resume takes no --in: the job remembers its inputs' : 'give --in DIR|FILE... or --resume');
    const summary = await runAction(
      importEvidenceAction,
      {
        caseFolder: options.case,
        examiner: options.examiner,
        maxPixels: options.maxPixels,
        contentFilter: options.classifier === 'none' ? null : (options.classifier ?? DEFAULT_CLASSIFIER_ID),
        work: options.resume ? { kind: 'resume', caseJobId: null } : { kind: 'new', sources: options.in },
      },
      actionControl(context),
    );
    const errors = summary.outcomes.filter((outcome) => outcome.outcome === 'error');
    const duplicates = summary.outcomes.filter((outcome) => outcome.outcome === 'duplicate');
    if (!json || errors.length + duplicates.length <= 1000) {
      for (const duplicate of duplicates) print(`duplicate  ${displayPath(duplicate.sourcePath)}: same content as item ${duplicate.itemId}, skipped`);
      for (const error of errors) print(`error      [${error.errorKind}] ${error.message}`);
    }
    const resumedText = summary.resumed ? `, resumed (${summary.handledEarlier} done before)` : '';
    for (const problem of summary.filter?.problems ?? []) print(`not scored ${problem.message}`);
    print(
      `import job ${summary.jobId}${resumedText}: ${summary.imported} imported, ${summary.duplicates} duplicates skipped, ${summary.errors} errors, of ${summary.total}`,
    );
    const matched = summary.hashListMatches;
    if (matched) print(`hash lists: ${matched.matchedItems} of ${matched.itemsChecked} new items match a list (${matched.added} matches kept in the case)`);
    if (summary.filter) print(`content filter ${summary.filter.modelId}: ${summary.filter.classified} items scored`);
    return {
      jobId: summary.jobId,
      resumed: summary.resumed,
      total: summary.total,
      imported: summary.imported,
      duplicates: duplicates.map(({ sourcePath, itemId }) => ({ sourcePath, itemId })),
      errors: errors.map(({ sourcePath, errorKind, message }) => ({ sourcePath, kind: errorKind, message })),
      hashListMatches: summary.hashListMatches,
      contentFilter: summary.filter ? { modelId: summary.filter.modelId, scored: summary.filter.classified, problems: summary.filter.problems } : null,
    };
  },
});
