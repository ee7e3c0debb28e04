import type { BundleManifest } from '../references/bundle-manifest.ts';
import { bundleDataSource, validationImagesOf } from '../references/validation-split.ts';
import { UserInputError } from '../../errors/user-input-error.ts';

/**
 * Names of the bundle's validation images when `dataDir` is the data the bundle was trained on
 * (the split is recomputed and checked against the bundle's record); an empty set for a bundle
 * without a validation split or for other data, whose images the split cannot name.
 */
export async function bundleValidationNames(manifest: BundleManifest, dataDir: string, channels: 1 | 3): Promise<Set<string>> {
  if (!manifest.validation || manifest.validation.imageCount === 0) return new Set();
  try {
    const source = await bundleDataSource(manifest, dataDir, channels);
    return new Set(validationImagesOf(manifest, source).images.map((image) => image.name));
  } catch (error) {
    if (error instanceof UserInputError) return new Set();
    throw error;
  }
}
