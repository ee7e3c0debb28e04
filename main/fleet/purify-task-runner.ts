/**
 * What a worker does with one task, free of the queue: read the evidence named by its SHA-256
 * from the shared area and check the hash, load the bundle named by its manifest SHA-256 and
 * check it, purify with the same science as a local `acsr case purify` (decode, purifyImage with
 * the task's parameters, the PNG encoding and the stored parts), and write the outputs to the
 * shared results area under their own hashes. The case database is never touched here.
 */
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ImageArray } from '../acsr/array/image-array.ts';
import { loadLatentExtractor, type LatentExtractor } from '../acsr/models/latent-extractor.ts';
import { PurificationEngines } from '../acsr/purification/purification-engines.ts';
import { purifyImage } from '../acsr/purification/purify-image.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../acsr/references/bundle-reader.ts';
import { storePurificationComponents } from '../case/purification-components.ts';
import { decodeImage, encodePng } from '../io/image.ts';
import { silentProgress, type TaskControl } from '../progress/progress.ts';
import type { PurifyTask, TaskResult } from './fleet-task.ts';
import type { SharedArea } from './shared-area.ts';

/** The task cannot succeed on any worker (missing or altered evidence, a wrong bundle): no retry. */
export class TaskInputError extends Error {
  override name = 'TaskInputError';
}

export class PurifyTaskRunner {
  readonly #shared: SharedArea;
  readonly #engines: PurificationEngines;
  readonly #bundles = new Map<string, Promise<ReferenceBundle>>();
  readonly #extractors = new Map<string, Promise<LatentExtractor>>();
  readonly #name = `${hostname()} pid ${process.pid}`;

  constructor(shared: SharedArea, options: { threads?: number } = {}) {
    this.#shared = shared;
    // one set of CBPDN worker threads for the worker's whole life, as a local batch keeps one per job
    this.#engines = new PurificationEngines({ threads: options.threads });
  }

  async run(task: PurifyTask, control: TaskControl = {}): Promise<TaskResult> {
    const started = performance.now();
    const bytes = await this.#readEvidence(task.itemSha256);
    const bundle = await this.#bundle(task.bundleManifestSha256);
    const extractor = await this.#extractor(bundle.manifest.extractor.id);
    // float32 as the case's own purification and `acsr purify` read it, so that all three agree
    const image = await decodeImage(bytes, {
      source: `evidence ${task.itemSha256}`,
      channels: bundle.manifest.channels === 3 ? 'rgb' : 'gray',
      precision: 'float32',
    });
    const readMs = performance.now() - started;

    const { clusterOverride, tileMargin, ...options } = task.parameters;
    const result = await purifyImage({
      image,
      bundle,
      extractor,
      engines: this.#engines,
      progress: control.progress ?? silentProgress,
      signal: control.signal,
      options: { ...options, ...(tileMargin !== null ? { tileMargin } : {}), ...(clusterOverride !== null ? { clusterOverride } : {}) },
    });

    const storeStart = performance.now();
    const purified: ImageArray = { ...result.purified, channels: result.purified.channels as 1 | 3 };
    const png = await encodePng(purified);
    const output = { sha256: await this.#shared.results.put(png), bytes: png.length };
    const sizes = new Map<string, number>();
    const stored = await storePurificationComponents(
      {
        storeBytes: async (part) => {
          const sha256 = await this.#shared.results.put(part);
          sizes.set(sha256, part.length);
          return { sha256, relativePath: '' };
        },
      },
      result.components,
    );
    const part = (name: keyof typeof stored.parts) => ({ sha256: stored.parts[name].sha256, bytes: sizes.get(stored.parts[name].sha256) ?? 0 });

    return {
      key: task.key,
      itemSha256: task.itemSha256,
      bundleManifestSha256: bundle.manifestSha256,
      parameters: task.parameters,
      output,
      components: { low: part('low'), high: part('high'), reconstructedHigh: part('reconstructedHigh'), difference: part('difference') },
      componentsEncoding: stored.encoding,
      extractor: { id: extractor.identity.id, weightsSha256: extractor.identity.weightSha256 },
      clusterIds: bundle.clusters.map((cluster) => cluster.id),
      nearestClusterId: result.nearestCluster.id,
      usedClusterId: result.cluster.id,
      distances: result.distances.map((entry) => entry.distance),
      cbpdn: { iterations: result.cbpdn.iterations, converged: result.cbpdn.converged, objective: result.cbpdn.objective, tiles: result.cbpdn.tiles.length },
      inputChannels: image.channels,
      inputDecodeNotes: [...image.notes],
      backend: `extractor: tfjs ${result.backend.extractor}; CBPDN: ${result.backend.cbpdn}`,
      timingsMs: { readAndDecode: readMs, ...result.timingsMs, storeAndHash: performance.now() - storeStart, total: performance.now() - started },
      worker: this.#name,
    };
  }

  async dispose(): Promise<void> {
    await this.#engines.dispose();
    for (const extractor of this.#extractors.values()) (await extractor.catch(() => undefined))?.dispose();
  }

  async #readEvidence(sha256: string): Promise<Buffer> {
    // Missing or unreadable may be this worker's mount (another worker may see it): retried.
    // Bytes that do not match their hash are refused for good.
    const read = await this.#shared.evidence.read(sha256).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`evidence ${sha256} ${error.code === 'ENOENT' ? `is not in the shared area ${this.#shared.root}` : `cannot be read (${error.message})`}`);
    });
    if (read.actualSha256 !== sha256)
      throw new TaskInputError(`evidence ${sha256} in the shared area has SHA-256 ${read.actualSha256}: the copy was altered and is refused`);
    return read.bytes;
  }

  #bundle(manifestSha256: string): Promise<ReferenceBundle> {
    let bundle = this.#bundles.get(manifestSha256);
    if (!bundle) {
      bundle = this.#loadBundle(manifestSha256);
      // a failed load is not kept: the next task tries again
      bundle.catch(() => this.#bundles.delete(manifestSha256));
      this.#bundles.set(manifestSha256, bundle);
    }
    return bundle;
  }

  async #loadBundle(manifestSha256: string): Promise<ReferenceBundle> {
    const path = this.#shared.bundlePath(manifestSha256);
    // not (yet) visible on this worker's mount: an ordinary failure, retried (perhaps by another worker)
    if (!(await stat(path).catch(() => undefined))) throw new Error(`bundle ${manifestSha256} is not in the shared area ${this.#shared.root}`);
    let loaded: ReferenceBundle;
    try {
      loaded = await loadReferenceBundle(path);
    } catch (error) {
      // there but not verifying (altered, damaged): refused for good
      throw new TaskInputError((error as Error).message);
    }
    if (loaded.manifestSha256 !== manifestSha256)
      throw new TaskInputError(`the shared bundle ${manifestSha256} has manifest SHA-256 ${loaded.manifestSha256}: refused`);
    return loaded;
  }

  #extractor(id: string): Promise<LatentExtractor> {
    let extractor = this.#extractors.get(id);
    if (!extractor) {
      extractor = loadLatentExtractor(id);
      this.#extractors.set(id, extractor);
    }
    return extractor;
  }
}
