/**
 * Evaluations of the workspace: each runs into evaluations/<id>/ (journal, results.json/.md,
 * plots), named by the workstation, so the renderer asks for a plot by evaluation id and plot
 * name and never sees or sends a path. The job's request is checked here before a worker starts.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseAttackSpecs } from '../acsr/attacks/attack-spec.ts';
import { DEFENSE_NAMES } from '../acsr/defenses/create-defense.ts';
import { RESULT_FILES } from '../acsr/evaluation/evaluation-output.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { evalJobRequestSchema } from '../ipc/contract/index.ts';
import type { EvaluationPlot, ParsedRequestInput, RequestOutput } from '../ipc/contract/index.ts';
import type { EvaluateParameters } from '../actions/evaluate-action.ts';
import { bundlePathOf, checkClassifierId, DEFAULT_BUNDLE_ID, DEFAULT_CLASSIFIER_ID, knownBundles, knownClassifiers } from './purification-catalogue.ts';

export const EVALUATIONS_FOLDER = 'evaluations';
/** Defenses the app offers: single-dict needs the bundle's own training images, which only the command line can be given. */
export const APP_DEFENSES = DEFENSE_NAMES.filter((name) => name !== 'single-dict');
/** Defenses that purify with a reference bundle. */
const BUNDLE_DEFENSES = new Set(['acsr']);
/**
 * Images attacked together (a journal unit). Smaller than the command line's 32, so that the
 * table fills in while the investigator watches; each image's outcome does not depend on it.
 */
const APP_BATCH_SIZE = 8;

const PLOT_FILES: Record<EvaluationPlot, string> = {
  'accuracy-by-attack': RESULT_FILES.bars,
  'accuracy-vs-budget': RESULT_FILES.budget,
};

/** What the evaluation form may use: registry classifiers, bundles by id, the app's defenses, and the defaults an eval request falls back on. */
export async function evaluationChoices(workspace: string): Promise<RequestOutput<'evaluation.choices'>> {
  const bundles = (await knownBundles(workspace)).map(({ path: _path, ...choice }) => choice);
  const models = knownClassifiers();
  return {
    models,
    bundles,
    defenses: [...APP_DEFENSES],
    defaultBundleId: bundles.find((bundle) => bundle.bundleId === DEFAULT_BUNDLE_ID)?.bundleId ?? bundles[0]?.bundleId ?? null,
    defaultModelId: models.some((choice) => choice.classifierId === DEFAULT_CLASSIFIER_ID) ? DEFAULT_CLASSIFIER_ID : null,
  };
}

export type EvalRequest = Extract<ParsedRequestInput<'jobs.start'>, { kind: 'eval' }>;

/**
 * Checks an eval request, gives it a fresh folder in evaluations/ and resolves its ids into the
 * evaluate action's parameters. The request is kept in the folder, so that the evaluation can be
 * resumed there later with the same parameters (its journal refuses any other).
 */
export async function evalJobParameters(workspace: string, request: EvalRequest, now = new Date()): Promise<EvaluateParameters & { attacks: string }> {
  await checkedEvalParameters(workspace, request, '');
  const evaluationId = await freshEvaluationId(workspace, now);
  const out = join(workspace, EVALUATIONS_FOLDER, evaluationId);
  const record: EvaluationRequestRecord = { format: REQUEST_RECORD_FORMAT, startedAt: now.toISOString(), request };
  await writeFileAtomic(join(out, EVALUATION_REQUEST_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return checkedEvalParameters(workspace, request, out);
}

/** The parameters of a stopped evaluation's own request, into its own folder (the CLI's resume: run again into --out). */
export async function resumedEvalJobParameters(workspace: string, evaluationId: string): Promise<EvaluateParameters & { attacks: string }> {
  const out = join(workspace, EVALUATIONS_FOLDER, evaluationId);
  const record = await readEvaluationRequest(out);
  if (record === 'missing') throw new UserInputError(`evaluation ${evaluationId} does not exist in this workspace`);
  if (record === 'absent')
    throw new UserInputError(
      `evaluation ${evaluationId} was not started from the app, so its settings are unknown here; continue it with acsr eval --out ${out}`,
    );
  return checkedEvalParameters(workspace, record.request, out);
}

const REQUEST_RECORD_FORMAT = 'acsr-evaluation-request';
/** The app's request of an evaluation, kept in its folder. */
export const EVALUATION_REQUEST_FILE = 'evaluation-request.json';
const requestRecordSchema = z.object({ format: z.literal(REQUEST_RECORD_FORMAT), startedAt: z.string(), request: evalJobRequestSchema });
export type EvaluationRequestRecord = z.output<typeof requestRecordSchema>;

/** The request kept in an evaluation's folder; 'absent' when the folder has none (made by acsr eval), 'missing' when there is no folder. */
export async function readEvaluationRequest(folder: string): Promise<EvaluationRequestRecord | 'absent' | 'missing'> {
  if (!(await stat(folder).catch(() => null))?.isDirectory()) return 'missing';
  const text = await readFile(join(folder, EVALUATION_REQUEST_FILE), 'utf8').catch(() => null);
  if (text === null) return 'absent';
  const parsed = requestRecordSchema.safeParse(
    (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return null;
      }
    })(),
  );
  if (!parsed.success)
    throw new UserInputError(`the settings kept in ${join(folder, EVALUATION_REQUEST_FILE)} are unreadable; continue it with acsr eval --out ${folder}`);
  return parsed.data;
}

async function checkedEvalParameters(workspace: string, request: EvalRequest, out: string): Promise<EvaluateParameters & { attacks: string }> {
  const folder = await stat(request.labelledFolder).catch(() => null);
  if (!folder?.isDirectory())
    throw new UserInputError(
      `${request.labelledFolder} is not a folder (give a folder with one sub-folder of images per class, named as the classifier's classes)`,
    );
  // Parsed here so that a bad spec is refused at once (the worker parses the same text again).
  const attacks = request.attacks === '' || request.attacks === 'none' ? [] : parseAttackSpecs(request.attacks);
  if (new Set(attacks.map((attack) => attack.name)).size !== attacks.length) throw new UserInputError(`the attacks name one attack twice (${request.attacks})`);
  const unknown = request.defenses.filter((name) => !(APP_DEFENSES as readonly string[]).includes(name));
  if (unknown.length) throw new UserInputError(`unknown defense(s) ${unknown.join(', ')}; the app offers ${APP_DEFENSES.join(', ')}`);
  if (new Set(request.defenses).size !== request.defenses.length) throw new UserInputError('the defenses name one defense twice');
  const modelId = checkClassifierId(request.modelId ?? DEFAULT_CLASSIFIER_ID);
  const needsBundle = request.defenses.some((name) => BUNDLE_DEFENSES.has(name));
  const bundle = needsBundle || request.bundleId !== undefined ? await bundlePathOf(workspace, request.bundleId ?? DEFAULT_BUNDLE_ID) : null;
  return {
    model: modelId,
    data: request.labelledFolder,
    attacks: attacks.length === 0 ? 'none' : request.attacks,
    defenses: [...request.defenses],
    batchSize: APP_BATCH_SIZE,
    // The evaluation's id is its folder's name (the accuracy tables carry it).
    out,
    ...(bundle ? { bundlePath: bundle.path } : {}),
    ...(request.limit !== undefined ? { limit: request.limit } : {}),
  };
}

/** A plot of an evaluation as base64 PNG; one the evaluation did not draw is the user's error, said plainly. */
export async function evaluationPlot(workspace: string, evaluationId: string, plot: EvaluationPlot): Promise<{ mediaType: 'image/png'; base64: string }> {
  const bytes = await readFile(join(workspace, EVALUATIONS_FOLDER, evaluationId, PLOT_FILES[plot])).catch(() => null);
  if (!bytes) {
    throw new UserInputError(
      plot === 'accuracy-vs-budget'
        ? `evaluation ${evaluationId} has no accuracy-vs-budget plot (it is drawn when an attack ran at several budgets)`
        : `evaluation ${evaluationId} has no ${plot} plot (yet)`,
    );
  }
  return { mediaType: 'image/png', base64: bytes.toString('base64') };
}

/** eval-20261125-154812, with -2, -3... when two start in the same second. */
async function freshEvaluationId(workspace: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  await mkdir(join(workspace, EVALUATIONS_FOLDER), { recursive: true });
  for (let n = 1; ; n++) {
    const id = `eval-${stamp}${n === 1 ? '' : `-${n}`}`;
    // Made now, not by the job: two evaluations started in the same second get different folders.
    const made = await mkdir(join(workspace, EVALUATIONS_FOLDER, id)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (made) return id;
  }
}
