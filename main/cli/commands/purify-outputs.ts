import { basename, extname, join } from 'node:path';
import type { ImageArray } from '../../acsr/array/image-array.ts';
import { componentImage, keptComponents, type PurificationComponentName } from '../../acsr/purification/purification-parts.ts';
import { type PurificationResult } from '../../acsr/purification/purify-image.ts';
import type { EvasionScore } from '../../acsr/evasion/evasion-calibration.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { encodePng } from '../../io/image.ts';
import { writeJsonFile } from '../../io/json-file.ts';
import { productVersion } from '../../version.ts';

/**
 * What `acsr purify` writes for one image: <stem>.purified.png, optionally the components, and
 * <stem>.purification.json (input and output hashes, bundle, cluster and distances, CBPDN,
 * timings, which backends ran).
 */
export interface PurificationOutputsRequest {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly image: ImageArray & { readonly notes: readonly string[] };
  readonly result: PurificationResult;
  readonly out: string;
  readonly saveComponents: boolean;
  readonly bundle: { readonly path: string; readonly manifestSha256: string; readonly extractor: string };
  /** the settings used and where each came from (an option, the bundle's tuning, or the built-in default) */
  readonly purification: { readonly tikhonovLambda: number } & Record<string, unknown>;
  /** the evasion score, for a bundle with an evasion calibration */
  readonly evasion?: EvasionScore | null;
}

export async function writePurificationOutputs(request: PurificationOutputsRequest): Promise<{ purifiedPath: string }> {
  const { file, bytes, image, result, out } = request;
  const stem = basename(file, extname(file));
  const png = await encodePng(result.purified);
  const purifiedPath = join(out, `${stem}.purified.png`);
  await writeFileAtomic(purifiedPath, png);
  const components: Record<string, string> = {};
  if (request.saveComponents) {
    // one part at a time: high and difference are formed on request, each let go once encoded
    const parts: [string, PurificationComponentName, number][] = [
      ['low', 'low', 0],
      ['high', 'high', 0.5],
      ['recon-high', 'reconstructedHigh', 0.5],
      ['difference', 'difference', 0.5],
    ];
    for (const [name, part, offset] of parts) {
      const path = join(out, `${stem}.${name}.png`);
      await writeFileAtomic(path, await encodePng(componentImage(keptComponents(result.components), part), { offset }));
      components[name] = path;
    }
  }
  const report = {
    producer: `acsr ${productVersion}`,
    input: { path: file, sha256: sha256Hex(bytes), height: image.height, width: image.width, channels: image.channels, notes: image.notes },
    output: { path: purifiedPath, sha256: sha256Hex(png) },
    bundle: request.bundle,
    cluster: result.cluster,
    nearestCluster: result.nearestCluster,
    distances: result.distances,
    cbpdn: result.cbpdn,
    tikhonovLambda: request.purification.tikhonovLambda,
    purification: request.purification,
    timingsMs: result.timingsMs,
    backend: result.backend,
    ...(request.evasion ? { evasion: request.evasion } : {}),
    ...(request.saveComponents ? { components, componentsNote: 'high, recon-high and difference are shown offset by +0.5' } : {}),
  };
  await writeJsonFile(join(out, `${stem}.purification.json`), report);
  return { purifiedPath };
}
