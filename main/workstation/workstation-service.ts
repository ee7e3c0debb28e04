/**
 * The workstation's services behind the IPC contract: one handler per request channel, each
 * given an input the host has already parsed with the contract's schema. Electron and
 * `acsr serve` run this same object (in a worker thread, see service-worker.ts); only the
 * native folder dialog belongs to the host.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import type { AppState, JobSnapshot, ParsedRequestInput, RequestChannel, RequestOutput } from '../ipc/contract/index.ts';
import { evidenceDetail, evidenceSummary } from './evidence-records.ts';
import { triageFactsByItem } from './triage-facts.ts';
import { matchesSearch, sortEvidence } from './evidence-order.ts';
import { filterModelsOfCase, filterScoresByItem } from './filter-scores.ts';
import {
  bundlePathOf,
  checkClassifierId,
  DEFAULT_BUNDLE_ID,
  DEFAULT_CLASSIFIER_ID,
  knownBundles,
  knownClassifiers,
  modelNameOf,
  TRAINED_BUNDLES_FOLDER,
} from './purification-catalogue.ts';
import { DEFAULT_TRAINING_PARAMETERS } from '../acsr/references/train-references.ts';
import { purificationFactsByItem } from './purification-facts.ts';
import { purificationRunViews } from './purification-runs.ts';
import { renderViewPart } from './view-parts.ts';
import { evalJobParameters, evaluationChoices, evaluationPlot, resumedEvalJobParameters } from './evaluations.ts';
import { listEvaluations } from './evaluation-history.ts';
import { estimatePurification, timedRunsOf } from './purification-estimate.ts';
import { trainingChoices } from './training-choices.ts';
import { JobRunner, type ActionModules } from '../jobs/job-runner.ts';
import { PRODUCT_ACTION_MODULES } from '../actions/product-actions.ts';
import { CaseLibrary } from './case-library.ts';
import { importFailures } from '../case/import-failures.ts';
import { expandHome, FolderBrowser } from './folder-browser.ts';
import { makeThumbnailBase64, ThumbnailCache } from './thumbnails.ts';
import { readSettings, writeSettings } from './workspace-settings.ts';
import { configuredWorkerQueue, setWorkerQueue, workerQueueStatus } from './worker-queue.ts';

export type ServiceChannel = Exclude<RequestChannel, 'dialog.chooseFolder'>;
export type ServiceHandlers = { [C in ServiceChannel]: (input: ParsedRequestInput<C>) => Promise<RequestOutput<C>> };

export interface WorkstationOptions {
  workspace: string;
  host: AppState['host'];
  nativeFolderDialog: boolean;
  /** Action modules per job kind; defaults to the product's (main/actions/product-actions.ts). */
  jobModules?: ActionModules;
  /** What `~` means, and the first root of the folder browser (default: the user's home folder). */
  homeFolder?: string;
  /** More folders the browser host's folder browser may show (besides the home folder). */
  browseRoots?: readonly string[];
}

/** Six panels each of the last few runs looked at. */
const VIEW_PARTS_CACHED = 36;

export class WorkstationService {
  readonly handlers: ServiceHandlers;
  readonly jobs: JobRunner;
  readonly #cases: CaseLibrary;
  readonly #thumbnails = new ThumbnailCache();
  /** Rendered view panels: the same cache, keyed by run and part (a run's parts never change); few, as a panel can be megabytes. */
  readonly #viewParts = new ThumbnailCache(VIEW_PARTS_CACHED);
  readonly #workspace: string;
  /** Bundle names of train jobs not finished yet: a second job may not aim at the same folder. */
  readonly #bundlesInTraining = new Map<number, string>();
  /** The latest job of each evaluation (by its folder's name), started or resumed in this session. */
  readonly #evaluationJobs = new Map<string, number>();

  constructor(options: WorkstationOptions) {
    const workspace = resolve(options.workspace);
    this.#workspace = workspace;
    this.#cases = new CaseLibrary(workspace);
    this.jobs = new JobRunner(options.jobModules ?? PRODUCT_ACTION_MODULES);
    const home = options.homeFolder ?? homedir();
    const folders = new FolderBrowser({ home, roots: options.browseRoots ?? [] });

    const appState = async (): Promise<AppState> => {
      const { examiner: name, blurByDefault } = await readSettings(workspace);
      return { host: options.host, nativeFolderDialog: options.nativeFolderDialog, workspace, examiner: name, blurByDefault };
    };
    const examiner = async (): Promise<string> => {
      const { examiner: name } = await readSettings(workspace);
      if (!name) throw new UserInputError('say who you are first (examiner identity), so that your actions can be recorded');
      return name;
    };

    this.handlers = {
      'app.state': appState,
      'app.setExaminer': async ({ name }) => {
        await writeSettings(workspace, { ...(await readSettings(workspace)), examiner: name });
        return appState();
      },
      'app.setBlurByDefault': async ({ blur }) => {
        await writeSettings(workspace, { ...(await readSettings(workspace)), blurByDefault: blur });
        return appState();
      },
      'cases.list': () => this.#cases.list(),
      'cases.create': async ({ number, title, requester }) =>
        this.#cases.create({ number, title, examiner: await examiner(), ...(requester ? { requester } : {}) }),
      'cases.get': ({ caseId }) => this.#cases.summary(caseId),
      'cases.importFailures': async ({ caseId }) => importFailures((await this.#cases.open(caseId)).db),
      'folders.browse': ({ path }) => folders.list(path),
      'evidence.list': async ({ caseId, category, uncategorised, tags, purified, verdict, hashMatch, search, sort, suspectedEvasion }) => {
        const opened = await this.#cases.open(caseId);
        const filter = { ...(category ? { category } : {}), ...(uncategorised ? { uncategorised } : {}), ...(tags?.length ? { tags } : {}) };
        const factsOf = purificationFactsByItem(opened.db);
        const triageOf = triageFactsByItem(opened.db);
        const scoresOf = filterScoresByItem(opened.db);
        const importedAt = new Map<number, string>();
        const listed = opened.db
          .listItems(filter)
          .filter((item) => matchesSearch(item, search))
          .map((item) => {
            importedAt.set(item.id, item.importedAt);
            return evidenceSummary(item, { ...factsOf(item.id), ...triageOf(item.id) }, scoresOf(item.id));
          })
          .filter((item) => purified === undefined || item.purificationRuns > 0 === purified)
          .filter((item) => !verdict || (verdict.stage === 'before' ? item.verdictBefore : item.verdictAfter) === verdict.topClass)
          .filter((item) => !hashMatch || (item.hashMatch !== null && (!hashMatch.category || item.hashMatch.categories.includes(hashMatch.category))))
          .filter((item) => !suspectedEvasion || item.evasion?.suspected === true);
        return sortEvidence(listed, (itemId) => importedAt.get(itemId) ?? '', sort);
      },
      'evidence.filterModels': async ({ caseId }) => filterModelsOfCase((await this.#cases.open(caseId)).db),
      'evidence.thumbnail': async ({ caseId, itemId, maxEdge }) => {
        const opened = await this.#cases.open(caseId);
        const base64 = await this.#thumbnails.get(`${caseId}/${itemId}/${maxEdge}`, async () => {
          const { bytes } = await opened.readEvidence(itemId);
          return makeThumbnailBase64(bytes, maxEdge);
        });
        return { mediaType: 'image/jpeg' as const, base64 };
      },
      'evidence.setCategory': async ({ caseId, itemIds, category, comment }) => {
        const opened = await this.#cases.open(caseId);
        const tagIds = opened.db.addTags({ itemIds, category, examiner: await examiner(), ...(comment ? { comment } : {}) });
        return { tagged: itemIds.length, tagIds };
      },
      'evidence.undoTags': async ({ caseId, tagIds }) => {
        const opened = await this.#cases.open(caseId);
        const reversal = opened.db.reverseTags({ tagIds, examiner: await examiner() });
        return { undone: reversal.tagIds.length, itemIds: reversal.itemIds };
      },
      'evidence.get': async ({ caseId, itemId }) => evidenceDetail(await this.#cases.open(caseId), itemId),
      'evidence.addTag': async ({ caseId, itemId, tag }) => {
        const opened = await this.#cases.open(caseId);
        opened.db.addTag({ itemId, tag, examiner: await examiner() });
        return evidenceDetail(opened, itemId);
      },
      'evidence.tagItems': async ({ caseId, itemIds, tag }) => {
        const opened = await this.#cases.open(caseId);
        // One transaction: a bad id in the middle leaves nothing tagged.
        const tagIds = opened.db.addTags({ itemIds, tag, examiner: await examiner() });
        return { tagged: itemIds.length, tagIds };
      },
      'evidence.addNote': async ({ caseId, itemId, text }) => {
        const opened = await this.#cases.open(caseId);
        opened.db.addNote({ itemId, text, examiner: await examiner() });
        return evidenceDetail(opened, itemId);
      },
      'evidence.purifications': async ({ caseId, itemId }) => purificationRunViews(await this.#cases.open(caseId), itemId),
      'evidence.viewPart': async ({ caseId, itemId, runId, part, maxEdge }) => {
        const opened = await this.#cases.open(caseId);
        const key = `${caseId}/${itemId}/${runId}/${part}/${maxEdge}`;
        // Cached as JSON so the one small LRU class serves thumbnails and panels alike.
        return JSON.parse(await this.#viewParts.get(key, async () => JSON.stringify(await renderViewPart(opened, { itemId, runId, part, maxEdge }))));
      },
      'purification.choices': async () => {
        const bundles = (await knownBundles(workspace)).map(({ path: _path, ...choice }) => choice);
        const classifiers = knownClassifiers();
        return {
          bundles,
          classifiers,
          defaultBundleId: bundles.find((bundle) => bundle.bundleId === DEFAULT_BUNDLE_ID)?.bundleId ?? bundles[0]?.bundleId ?? null,
          defaultClassifierId: classifiers.some((choice) => choice.classifierId === DEFAULT_CLASSIFIER_ID) ? DEFAULT_CLASSIFIER_ID : null,
        };
      },
      'purification.estimate': async ({ caseId, itemIds, bundleId }) => {
        const opened = await this.#cases.open(caseId);
        const bundle = await bundlePathOf(workspace, bundleId);
        const pixels = itemIds.map((itemId) => {
          const item = opened.db.getItem(itemId);
          return item.width * item.height;
        });
        return estimatePurification(timedRunsOf(opened), bundle.manifestSha256, pixels);
      },
      'training.choices': async () => trainingChoices(),
      'evaluation.choices': async () => evaluationChoices(workspace),
      'evaluation.plot': async ({ evaluationId, plot }) => evaluationPlot(workspace, evaluationId, plot),
      'evaluation.list': async () => listEvaluations(workspace, this.#evaluationJobStates()),
      'evaluation.resume': async ({ evaluationId }) => {
        if (this.#evaluationJobStates().get(evaluationId)?.active) throw new UserInputError(`evaluation ${evaluationId} is already running`);
        const parameters = await resumedEvalJobParameters(workspace, evaluationId);
        return this.#submitEval(parameters, `Resume evaluation ${evaluationId}`);
      },
      'jobs.start': async (request) => this.#startJob(withHomeExpanded(request, home), examiner),
      'workers.status': async () => workerQueueStatus((await readSettings(workspace)).workerQueue),
      'workers.setQueue': async ({ setting }) => setWorkerQueue(workspace, setting),
      'jobs.cancel': async ({ jobId }) => this.jobs.cancel(jobId),
      'jobs.list': async () => this.jobs.list(),
      'jobs.outputs': async ({ jobId }) => this.jobs.outputs(jobId),
    };
  }

  async #startJob(request: ParsedRequestInput<'jobs.start'>, examiner: () => Promise<string>): Promise<JobSnapshot> {
    switch (request.kind) {
      case 'import': {
        const examinerName = await examiner();
        const summary = await this.#cases.summary(request.caseId);
        const resuming = request.resumeCaseJobId;
        if (resuming !== undefined && !summary.unfinishedImports.some((job) => job.caseJobId === resuming)) {
          throw new UserInputError(`import ${resuming} of case ${summary.number} is not an unfinished import`);
        }
        return this.jobs.submit(
          'import',
          {
            caseFolder: this.#cases.folderOf(request.caseId),
            examiner: examinerName,
            work: resuming === undefined ? { kind: 'new', sources: request.sources ?? [] } : { kind: 'resume', caseJobId: resuming },
          },
          {
            label: resuming === undefined ? `Import into case ${summary.number}` : `Resume import ${resuming} of case ${summary.number}`,
            caseId: request.caseId,
          },
        );
      }
      case 'report': {
        const examinerName = await examiner();
        const summary = await this.#cases.summary(request.caseId);
        return this.jobs.submit(
          'report',
          {
            caseFolder: this.#cases.folderOf(request.caseId),
            examiner: examinerName,
            targets: request.formats.map((format) => ({ format })),
            blur: request.blurThumbnails ?? true,
            scope: { itemIds: request.itemIds, category: request.category },
            gpsCoordinates: request.gpsCoordinates ?? false,
          },
          { label: `Report (${request.formats.join(', ')}) for case ${summary.number}`, caseId: request.caseId },
        );
      }
      case 'verify': {
        const examinerName = await examiner();
        const summary = await this.#cases.summary(request.caseId);
        return this.jobs.submit(
          'verify',
          { caseFolder: this.#cases.folderOf(request.caseId), examiner: examinerName },
          { label: `Verify case ${summary.number}`, caseId: request.caseId },
        );
      }
      case 'purify':
        return this.#startPurifyJob(request, await examiner());
      case 'train':
        return this.#startTrainJob(request);
      case 'eval': {
        const parameters = await evalJobParameters(this.#workspace, request);
        const attacks = parameters.attacks === 'none' ? 'no attack' : parameters.attacks;
        return this.#submitEval(parameters, `Evaluate ${modelNameOf(parameters.model)}: ${attacks} × ${parameters.defenses.join(', ')}`);
      }
    }
  }

  #submitEval(parameters: Awaited<ReturnType<typeof evalJobParameters>>, label: string): JobSnapshot {
    const snapshot = this.jobs.submit('eval', parameters, { label, caseId: null });
    this.#evaluationJobs.set(basename(parameters.out), snapshot.jobId);
    return snapshot;
  }

  #evaluationJobStates(): Map<string, { jobId: number; active: boolean }> {
    const jobs = new Map(this.jobs.list().map((job) => [job.jobId, job]));
    return new Map([...this.#evaluationJobs].map(([evaluationId, jobId]) => [evaluationId, { jobId, active: jobs.get(jobId)?.finishedAt === null }] as const));
  }

  async #startTrainJob(request: Extract<ParsedRequestInput<'jobs.start'>, { kind: 'train' }>): Promise<JobSnapshot> {
    const folder = await stat(request.labelledFolder).catch(() => null);
    if (!folder?.isDirectory())
      throw new UserInputError(`${request.labelledFolder} is not a folder: choose a folder that exists, with one sub-folder of images per class`);
    const bundlePath = join(this.#workspace, TRAINED_BUNDLES_FOLDER, request.bundleName);
    // Refused now, not after minutes of training (the bundle writer refuses it again at the end).
    if (await stat(bundlePath).catch(() => null)) throw new UserInputError(`a bundle named ${request.bundleName} already exists; choose another name`);
    const unfinished = new Set(
      this.jobs
        .list()
        .filter((job) => job.finishedAt === null)
        .map((job) => job.jobId),
    );
    for (const [jobId, name] of this.#bundlesInTraining) {
      if (!unfinished.has(jobId)) this.#bundlesInTraining.delete(jobId);
      else if (name === request.bundleName)
        throw new UserInputError(`a bundle named ${request.bundleName} is being trained already: choose another name, or wait until that training ends`);
    }
    const extractorId = checkClassifierId(request.extractorId ?? DEFAULT_CLASSIFIER_ID);
    const d = DEFAULT_TRAINING_PARAMETERS;
    const training = {
      kMax: request.kMax ?? d.kMax,
      fixedK: request.fixedK ?? null,
      atoms: request.atoms ?? d.atoms,
      atomSize: request.atomSize ?? d.atomSize,
      covariance: request.covariance ?? d.covariance,
      cdlIterations: request.cdlIterations ?? d.cdlIterations,
      seed: request.seed ?? d.seed,
    };
    const snapshot = this.jobs.submit(
      'train',
      {
        data: resolve(request.labelledFolder),
        out: bundlePath,
        extractor: { kind: 'registered', id: extractorId },
        training,
      },
      { label: `Train bundle ${request.bundleName} · image features from ${modelNameOf(extractorId)}`, caseId: null },
    );
    this.#bundlesInTraining.set(snapshot.jobId, request.bundleName);
    return snapshot;
  }

  async #startPurifyJob(request: Extract<ParsedRequestInput<'jobs.start'>, { kind: 'purify' }>, examinerName: string): Promise<JobSnapshot> {
    const summary = await this.#cases.summary(request.caseId);
    const opened = await this.#cases.open(request.caseId);
    const common = { caseFolder: this.#cases.folderOf(request.caseId), examiner: examinerName };
    const resuming = request.resumeCaseJobId;
    if (resuming !== undefined) {
      if (!summary.unfinishedPurifications.some((job) => job.caseJobId === resuming)) {
        throw new UserInputError(`purification ${resuming} of case ${summary.number} is not an unfinished purify job`);
      }
      // A run on workers is carried on on the queue: it re-attaches to the tasks it left there.
      if (typeof (opened.db.getJob(resuming).parameters as { queue?: unknown }).queue === 'string') {
        return this.jobs.submit(
          'purify-on-workers',
          { ...common, ...(await configuredWorkerQueue(this.#workspace)), resumeCaseJobId: resuming },
          { label: `Resume purification ${resuming} of case ${summary.number} on workers`, caseId: request.caseId },
        );
      }
      return this.jobs.submit(
        'purify',
        { ...common, work: { kind: 'resume', caseJobId: resuming } },
        {
          label: `Resume purification ${resuming} of case ${summary.number}`,
          caseId: request.caseId,
        },
      );
    }
    const itemIds = [...new Set(request.itemIds!)];
    // Ids from the renderer are checked against the case before a worker starts.
    for (const itemId of itemIds) opened.db.getItem(itemId);
    const bundle = await bundlePathOf(this.#workspace, request.bundleId ?? DEFAULT_BUNDLE_ID);
    if (request.override && !bundle.clusterIds.includes(request.override.cluster)) {
      throw new UserInputError(`${request.override.cluster} is not a cluster of ${bundle.label}: choose one of ${bundle.clusterIds.join(', ')}`);
    }
    const what = itemIds.length === 1 ? `item #${itemIds[0]}` : `${itemIds.length} items`;
    const classifierId = request.classifierId === null ? null : checkClassifierId(request.classifierId ?? DEFAULT_CLASSIFIER_ID);
    if (request.onWorkers) {
      return this.jobs.submit(
        'purify-on-workers',
        {
          ...common,
          ...(await configuredWorkerQueue(this.#workspace)),
          items: itemIds,
          bundlePath: bundle.path,
          override: request.override ?? null,
          classifierId,
        },
        {
          label: `Purify ${what} of case ${summary.number} on workers${request.override ? ` with cluster ${request.override.cluster}` : ''}`,
          caseId: request.caseId,
        },
      );
    }
    return this.jobs.submit(
      'purify',
      {
        ...common,
        work: { kind: 'new', items: itemIds, bundlePath: bundle.path, classifierId, override: request.override ?? null },
      },
      {
        label: `Purify ${what} of case ${summary.number}${request.override ? ` with cluster ${request.override.cluster}` : ''}`,
        caseId: request.caseId,
      },
    );
  }

  async close(): Promise<void> {
    await this.jobs.close();
    this.#cases.close();
  }
}

/** Folders typed as `~/...` are the home folder's: expanded before any job sees them. */
function withHomeExpanded(request: ParsedRequestInput<'jobs.start'>, home: string): ParsedRequestInput<'jobs.start'> {
  if (request.kind === 'import' && request.sources) return { ...request, sources: request.sources.map((source) => expandHome(source, home)) };
  if (request.kind === 'train' || request.kind === 'eval') return { ...request, labelledFolder: expandHome(request.labelledFolder, home) };
  return request;
}
