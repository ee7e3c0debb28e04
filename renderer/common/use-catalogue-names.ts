/**
 * Models and bundles by the names people read ("NSFW filter (MobileNetV2, standard)", "Default
 * bundle (ships with ACSR)"), looked up from the workstation's choices: a run or a job records
 * ids and hashes, which belong in a details line, not in the headline.
 */
import { useEffect, useState } from 'react';
import { useClient } from '../app/client-context.tsx';

export interface CatalogueNames {
  /** The model's name (the id only in brackets, for a model no longer registered). */
  model(modelId: string): string;
  /** The bundle's name by the manifest hash a run recorded. */
  bundle(manifestSha256: string, bundleId: string): string;
}

interface Loaded {
  models: ReadonlyMap<string, string>;
  bundles: ReadonlyMap<string, string>;
}

export function catalogueNames(loaded: Loaded | null): CatalogueNames {
  // While the names load, a neutral word; a model or bundle no longer installed is named as such, its id in brackets.
  return {
    model: (modelId) => (loaded ? (loaded.models.get(modelId) ?? `A model no longer registered (id ${modelId})`) : 'Content filter'),
    bundle: (manifestSha256, bundleId) =>
      loaded ? (loaded.bundles.get(manifestSha256) ?? `A bundle no longer installed (id ${bundleId})`) : 'Reference bundle',
  };
}

export function useCatalogueNames(): CatalogueNames {
  const client = useClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    let current = true;
    client.call('purification.choices', {}).then(
      (choices) =>
        current &&
        setLoaded({
          models: new Map(choices.classifiers.map((choice) => [choice.classifierId, choice.label])),
          bundles: new Map(choices.bundles.map((choice) => [choice.manifestSha256, choice.label])),
        }),
      // Names are a courtesy: without them the ids show, and the failure itself is the screen's to report.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client]);
  return catalogueNames(loaded);
}
