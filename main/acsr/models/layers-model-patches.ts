/**
 * In-memory edits to a Keras (tfjs Layers) model before it is built. The files and their hash stay
 * as registered; only what is handed to tfjs changes, and neither edit changes the forward pass
 * except where stated.
 */
import type { io } from '@tensorflow/tfjs';

/**
 * Sets the named layer's activation to linear, so the model outputs the logits that feed its
 * softmax. (The probabilities are softmax(logits); log-probabilities are logits minus a per-row
 * constant, so argmax and every margin are unchanged.)
 */
export function stripLayerActivation(artifacts: io.ModelArtifacts, layerName: string): io.ModelArtifacts {
  const topology = structuredClone(artifacts.modelTopology) as any;
  const layer = kerasLayers(topology).find((candidate: any) => candidate.name === layerName || candidate.config?.name === layerName);
  if (!layer) throw new Error(`layer '${layerName}' not found in the model topology`);
  if (!('activation' in layer.config)) throw new Error(`layer '${layerName}' has no activation to strip`);
  layer.config.activation = 'linear';
  return { ...artifacts, modelTopology: topology };
}

/**
 * BatchNormalization with scale=false makes tfjs's batchNorm gradient fail (it differentiates with
 * respect to an absent gamma). scale=true with gamma = 1 computes exactly the same forward pass, so
 * such layers are rewritten that way and their gamma weights (ones) appended to the weight data.
 */
export function giveBatchNormsUnitScale(artifacts: io.ModelArtifacts): { artifacts: io.ModelArtifacts; patchedLayers: number } {
  const topology = structuredClone(artifacts.modelTopology) as any;
  const specs = [...(artifacts.weightSpecs ?? [])];
  const extra: Float32Array[] = [];
  let patchedLayers = 0;
  for (const layer of kerasLayers(topology)) {
    if (layer.class_name !== 'BatchNormalization' || layer.config.scale !== false) continue;
    const name = layer.config.name ?? layer.name;
    const beta = specs.find((spec) => spec.name === `${name}/beta` || spec.name === `${name}/moving_mean`);
    if (!beta) throw new Error(`no beta or moving_mean weight for BatchNormalization layer '${name}'`);
    const channels = beta.shape.reduce((a, b) => a * b, 1);
    layer.config.scale = true;
    specs.push({ name: `${name}/gamma`, shape: [channels], dtype: 'float32' });
    extra.push(new Float32Array(channels).fill(1));
    patchedLayers += 1;
  }
  if (patchedLayers === 0) return { artifacts, patchedLayers };
  const original = new Uint8Array(artifacts.weightData as ArrayBuffer);
  const extraBytes = extra.reduce((sum, part) => sum + part.byteLength, 0);
  const combined = new Uint8Array(original.byteLength + extraBytes);
  combined.set(original, 0);
  let offset = original.byteLength;
  for (const part of extra) {
    combined.set(new Uint8Array(part.buffer), offset);
    offset += part.byteLength;
  }
  return { artifacts: { ...artifacts, modelTopology: topology, weightSpecs: specs, weightData: combined.buffer }, patchedLayers };
}

function kerasLayers(topology: any): any[] {
  const config = topology?.model_config ?? topology;
  const layers = config?.config?.layers;
  if (!Array.isArray(layers)) throw new Error('not a Keras functional/sequential model topology');
  return layers;
}
