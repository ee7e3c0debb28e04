/**
 * What the report and case-purify tests share: a tiny reference bundle trained for real (nsfwjs
 * MobileNetV2 latents of four real photos, two classes, one cluster each, 4 atoms of 4 px, a few
 * CDL iterations: seconds, not minutes) and small crops of real photos, so that purification in a
 * test takes a second or two.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { LatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { writeReferenceBundle } from '../../main/acsr/references/bundle-writer.ts';
import { labelledFolder } from '../../main/acsr/references/labelled-images.ts';
import { DEFAULT_TRAINING_PARAMETERS, trainReferences } from '../../main/acsr/references/train-references.ts';
import { photosDir } from '../support/shared-data.ts';

export const TINY_BUNDLE_CLASSES = { animal: ['skimage-chelsea.png', 'skimage-coffee.png'], texture: ['skimage-brick.png', 'skimage-gravel.png'] } as const;

export async function trainTinyBundle(folder: string, extractor: LatentExtractor): Promise<ReferenceBundle> {
  const data = join(folder, 'training');
  for (const [className, names] of Object.entries(TINY_BUNDLE_CLASSES)) {
    await mkdir(join(data, className), { recursive: true });
    for (const name of names) await copyFile(join(photosDir, name), join(data, className, name));
  }
  const content = await trainReferences({
    source: await labelledFolder(data, 3),
    extractor,
    producer: 'acsr test',
    parameters: {
      ...DEFAULT_TRAINING_PARAMETERS,
      kMax: 1,
      fixedK: 1,
      atoms: 4,
      atomSize: 4,
      patchSize: 16,
      patchesPerImage: 1,
      maxPatchesPerCluster: 2,
      cdlIterations: 3,
    },
  });
  const path = join(folder, 'tiny-bundle');
  await writeReferenceBundle(path, content);
  return loadReferenceBundle(path);
}

/** A `size` x `size` PNG crop of a real photo, written to `path`. */
export async function writePhotoCrop(photo: string, path: string, crop: { left: number; top: number; size: number }): Promise<string> {
  await sharp(join(photosDir, photo)).extract({ left: crop.left, top: crop.top, width: crop.size, height: crop.size }).png().toFile(path);
  return path;
}

/** Options that keep a test's purification to a second or two on two shared cores. */
export const FAST_PURIFICATION = { maxIterations: 15, threads: 1 } as const;
