/**
 * The workstation's long actions by the job kind each runs as. Types only, plus the modules'
 * addresses: the job runner starts a worker on an action's module, so the thread that submits
 * jobs never loads TensorFlow or the solvers.
 */
import type { JobKind } from '../ipc/contract/index.ts';
import type { AnyAction } from './define-action.ts';
import type { evaluateAction } from './evaluate-action.ts';
import type { importEvidenceAction } from './import-evidence-action.ts';
import type { purifyEvidenceAction } from './purify-evidence-action.ts';
import type { purifyOnFleetAction } from './purify-on-fleet-action.ts';
import type { trainReferencesAction } from './train-references-action.ts';
import type { verifyCaseAction } from './verify-case-action.ts';
import type { writeReportAction } from './write-report-action.ts';

/** Actions by job kind; an action's name is its kind. */
export type ActionTable = { [K in JobKind]?: AnyAction & { name: K } };

export interface ProductActions {
  import: typeof importEvidenceAction;
  purify: typeof purifyEvidenceAction;
  'purify-on-workers': typeof purifyOnFleetAction;
  train: typeof trainReferencesAction;
  eval: typeof evaluateAction;
  report: typeof writeReportAction;
  verify: typeof verifyCaseAction;
}

/** Each module exports the action named like its key. */
export const PRODUCT_ACTION_MODULES: Record<keyof ProductActions, URL> = {
  import: new URL('./import-evidence-action.ts', import.meta.url),
  purify: new URL('./purify-evidence-action.ts', import.meta.url),
  'purify-on-workers': new URL('./purify-on-fleet-action.ts', import.meta.url),
  train: new URL('./train-references-action.ts', import.meta.url),
  eval: new URL('./evaluate-action.ts', import.meta.url),
  report: new URL('./write-report-action.ts', import.meta.url),
  verify: new URL('./verify-case-action.ts', import.meta.url),
};
