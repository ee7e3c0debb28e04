/**
 * The list of past evaluations: every folder of the workspace's evaluations/, read from what the
 * evaluation left there (results.json, rewritten after every unit, and the request the app kept),
 * so that it is the same after a restart. An evaluation is 'running' while a job of this
 * workstation works on it, 'complete' when results.json says every unit is in, and 'stopped'
 * otherwise (cancelled, failed, or cut off by a restart): those are offered for resumption when
 * the app knows their settings.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { JOURNAL_FILE } from '../acsr/evaluation/evaluation-journal.ts';
import { RESULT_FILES } from '../acsr/evaluation/evaluation-output.ts';
import { accuracyTable, type AccuracyTableSource } from '../actions/evaluate-action.ts';
import { folderNameSchema, type EvaluationPlot, type PastEvaluation } from '../ipc/contract/index.ts';
import { EVALUATIONS_FOLDER, type EvaluationRequestRecord, readEvaluationRequest } from './evaluations.ts';
import { knownBundles, modelNameOf } from './purification-catalogue.ts';

/** The jobs of this workstation by evaluation id: the latest one, and whether it is still queued or running. */
export type EvaluationJobs = ReadonlyMap<string, { jobId: number; active: boolean }>;

const budgetSchema = z.object({ norm: z.enum(['dissimilarity', 'l2', 'linf']), epsilon: z.number(), cutoff: z.literal(true).optional() }).nullable();
/** Only what the list shows; the whole file is the evaluation's own (evaluation-results.ts). */
const resultsSchema = z.object({
  format: z.literal('acsr-evaluation-results'),
  complete: z.boolean(),
  rows: z.array(z.string()),
  setup: z.object({
    model: z.object({ id: z.string() }),
    bundle: z.object({ path: z.string(), manifestSha256: z.string() }).nullable(),
    data: z.object({ description: z.string(), count: z.number().int() }),
    attacks: z.array(z.object({ name: z.string(), budget: budgetSchema })),
    adaptive: z.object({ attack: z.string(), budget: budgetSchema }).nullable(),
    defenses: z.array(z.object({ name: z.string() })),
  }),
  cells: z.array(
    z.object({
      row: z.string(),
      defense: z.string(),
      // JSON writes an undefined accuracy (no image yet) as null.
      accuracy: z.object({
        successes: z.number(),
        total: z.number(),
        value: z.number().nullable(),
        ci95: z.tuple([z.number().nullable(), z.number().nullable()]),
      }),
    }),
  ),
});
type StoredResults = z.output<typeof resultsSchema>;

const PLOTS: [EvaluationPlot, string][] = [
  ['accuracy-by-attack', RESULT_FILES.bars],
  ['accuracy-vs-budget', RESULT_FILES.budget],
];

/** Newest first. A folder that holds no evaluation (neither a journal nor a request) is left out. */
export async function listEvaluations(workspace: string, jobs: EvaluationJobs): Promise<PastEvaluation[]> {
  const root = join(workspace, EVALUATIONS_FOLDER);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const bundles = await knownBundles(workspace);
  const listed: PastEvaluation[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !folderNameSchema.safeParse(entry.name).success) continue;
    const folder = join(root, entry.name);
    const request = await readEvaluationRequest(folder).catch(() => 'unreadable' as const);
    const results = await readResults(folder);
    const journal = await stat(join(folder, JOURNAL_FILE)).catch(() => null);
    if (typeof request === 'string' && !results && !journal) continue;
    const record = typeof request === 'string' ? null : request;
    const job = jobs.get(entry.name) ?? null;
    const status = job?.active ? 'running' : results?.complete ? 'complete' : 'stopped';
    const modelId = results?.setup.model.id ?? record?.request.modelId ?? null;
    const written = await stat(join(folder, RESULT_FILES.json)).catch(() => null);
    const plots: EvaluationPlot[] = [];
    for (const [plot, file] of PLOTS) if (status === 'complete' && (await stat(join(folder, file)).catch(() => null))) plots.push(plot);
    listed.push({
      evaluationId: entry.name,
      folder,
      startedAt: record?.startedAt ?? (journal ? journal.birthtime.toISOString() : null),
      updatedAt: written ? written.mtime.toISOString() : null,
      dataset: results?.setup.data.description ?? (record ? `the labelled folder ${record.request.labelledFolder}` : 'unknown data'),
      // The name the rest of the app gives the model (its id when the registry no longer has it).
      model: modelId === null ? null : { id: modelId, label: modelNameOf(modelId) },
      bundle: bundleName(results, record, bundles),
      attacks: results ? [...results.setup.attacks.map((attack) => attack.name), ...(results.setup.adaptive ? ['bpda'] : [])] : attacksOf(record),
      defenses: results ? results.setup.defenses.map((defense) => defense.name) : (record?.request.defenses ?? []),
      status,
      cannotResume: status !== 'stopped' ? null : cannotResume(request, folder),
      jobId: job?.jobId ?? null,
      table: results ? accuracyTable(entry.name, tableSource(results)) : null,
      plots,
    });
  }
  const when = (evaluation: PastEvaluation) => evaluation.startedAt ?? evaluation.updatedAt ?? '';
  return listed.sort((a, b) => when(b).localeCompare(when(a)) || b.evaluationId.localeCompare(a.evaluationId));
}

async function readResults(folder: string): Promise<StoredResults | null> {
  const text = await readFile(join(folder, RESULT_FILES.json), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = resultsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Cells with no image yet (an accuracy JSON wrote as null) are left out: the screen shows a dash. */
function tableSource(results: StoredResults): AccuracyTableSource {
  const cells = results.cells.flatMap((cell) => {
    const { successes, total, value, ci95 } = cell.accuracy;
    if (value === null || ci95[0] === null || ci95[1] === null || total === 0) return [];
    return [{ row: cell.row, defense: cell.defense, accuracy: { successes, total, value, ci95: [ci95[0], ci95[1]] as const } }];
  });
  return { ...results, cells };
}

/** The bundle by the name the purify dialog shows, matched by its manifest's hash; a bundle no longer in the workspace by its folder's name. */
function bundleName(results: StoredResults | null, record: EvaluationRequestRecord | null, bundles: Awaited<ReturnType<typeof knownBundles>>): string | null {
  const used = results?.setup.bundle;
  if (used) return bundles.find((bundle) => bundle.manifestSha256 === used.manifestSha256)?.label ?? `${basename(used.path)} (no longer in this workspace)`;
  if (results) return null;
  const id = record?.request.bundleId;
  return id === undefined ? null : (bundles.find((bundle) => bundle.bundleId === id)?.label ?? id);
}

function attacksOf(record: EvaluationRequestRecord | null): string[] {
  const attacks = record?.request.attacks ?? '';
  return attacks === '' || attacks === 'none' ? [] : attacks.split(',');
}

function cannotResume(request: EvaluationRequestRecord | 'absent' | 'missing' | 'unreadable', folder: string): string | null {
  if (request === 'absent') return `started outside the app: continue it with acsr eval --out ${folder} and its original settings`;
  if (request === 'unreadable' || request === 'missing') return `its kept settings are unreadable: continue it with acsr eval --out ${folder}`;
  return null;
}
