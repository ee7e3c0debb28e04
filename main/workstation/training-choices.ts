/**
 * What the training form may use and starts from: the model registry's extractors, and the
 * values `acsr train` takes when none is given, read from where the science defines them
 * (train-references.ts), so the form cannot drift from the command line.
 */
import { DEFAULT_TRAINING_PARAMETERS } from '../acsr/references/train-references.ts';
import type { TrainingChoices } from '../ipc/contract/index.ts';
import { DEFAULT_CLASSIFIER_ID, knownClassifiers } from './purification-catalogue.ts';

export function trainingChoices(): TrainingChoices {
  const d = DEFAULT_TRAINING_PARAMETERS;
  return {
    extractors: knownClassifiers(),
    defaults: {
      extractorId: DEFAULT_CLASSIFIER_ID,
      kMax: d.kMax,
      atoms: d.atoms,
      atomSize: d.atomSize,
      covariance: d.covariance,
      cdlIterations: d.cdlIterations,
      seed: d.seed,
    },
  };
}
