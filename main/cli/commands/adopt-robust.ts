import { adoptRobustExtractor } from '../../acsr/robust/adopt-robust-extractor.ts';
import { refuseExisting } from '../../acsr/robust/robust-bundle.ts';
import { loadReferenceBundle } from '../../acsr/references/bundle-reader.ts';
import { defineCommand } from '../command.ts';

/** Stage ii reused: a re-learned stage-i bundle with the clusters an f_rob was trained for takes that f_rob. */
export const adoptRobustCommand = defineCommand({
  name: 'adopt-robust',
  summary: "stage ii without training: a stage-i bundle with the same clusters takes a robust bundle's f_rob",
  description:
    'Writes a NEW bundle: a copy of --bundle (a stage-i bundle) naming the robust extractor f_rob of --from (a bundle ' +
    'written by train-robust) as its extractor, so that purify selects its clusters with f_rob. Stage ii trains f_rob ' +
    "towards the clusters' means and precisions and never uses the dictionaries, so a stage-i bundle learned again " +
    'with other dictionary settings (--atoms, --atom-size, more epochs) from the same images, extractor and seed can ' +
    'adopt it instead of training stage ii again. Refused, naming the reason, unless both bundles have the same ' +
    'stage-i extractor, training images, validation split, classes, cluster members and byte-identical cluster means ' +
    'and precisions. Neither input bundle is changed; the new manifest records where f_rob came from.',
  examples: ['acsr adopt-robust --bundle fmnist-bundle-atoms12 --from fmnist-bundle-robust --out fmnist-bundle-atoms12-robust'],
  options: {
    bundle: { type: 'string', required: true, valueName: 'BUNDLE', description: 'the stage-i bundle that adopts f_rob' },
    from: { type: 'string', required: true, valueName: 'ROBUST_BUNDLE', description: 'a bundle written by train-robust for the same clusters' },
    out: { type: 'string', required: true, valueName: 'NEW_BUNDLE', description: 'new bundle folder (must not exist)' },
  },
  async run({ options, print }) {
    await refuseExisting(options.out);
    const [stageOne, robust] = [await loadReferenceBundle(options.bundle), await loadReferenceBundle(options.from)];
    await adoptRobustExtractor(stageOne, robust, options.out);
    const summary = { bundle: options.out, extractor: robust.manifest.extractor.id, from: options.from, stageOne: options.bundle };
    print(`${options.out}: the clusters and dictionaries of ${options.bundle}, clusters chosen by ${summary.extractor} (from ${options.from})`);
    return summary;
  },
});
