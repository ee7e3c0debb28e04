/**
 * Verify a case: its audit chain, records, checkpoints and every stored file's hash, the check
 * itself recorded (main/case/verify-case.ts): `acsr case verify` and the workstation's verify job.
 */
import { z } from 'zod';
import { defineAction } from './define-action.ts';
import { withCaseFolder } from './with-case-folder.ts';

export const verifyCaseParameters = z.strictObject({
  caseFolder: z.string().min(1),
  examiner: z.string(),
});

export const verifyCaseAction = defineAction({
  name: 'verify',
  parameters: verifyCaseParameters,
  run: ({ caseFolder: folder, examiner }, { progress, signal, note }) =>
    withCaseFolder(folder, note, (caseFolder) => caseFolder.verify({ examiner, progress, signal })),
  summary: (verification) => ({
    ok: verification.ok,
    itemsChecked: verification.itemsChecked,
    outputsChecked: verification.outputsChecked,
    problems: verification.problems.length,
    firstBrokenLink: verification.firstBrokenLink,
  }),
});
