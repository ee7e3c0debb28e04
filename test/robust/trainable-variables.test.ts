/**
 * What stage ii trains in the bundled nsfwjs models: MobileNetV2 (a Layers model) fine-tunes its
 * last blocks on CPU (block_16, Conv_1, the dense head) or every convolution and dense layer with
 * --layers all, BatchNorm frozen and in inference mode; the MobileNetV2Mid Graph model is refused
 * with the reason (its weights are graph constants, not variables).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type * as tf from '@tensorflow/tfjs';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { assertTrainableNetwork, trainablePlan } from '../../main/acsr/robust/trainable-variables.ts';

let mobilenet: TfImageModel;

before(async () => {
  mobilenet = await loadTfImageModel('nsfwjs-mobilenet-v2');
});

after(() => mobilenet?.dispose());

function parameterCount(variables: readonly tf.LayerVariable[]): number {
  return variables.reduce((sum, v) => sum + v.shape.reduce((a: number, b) => a * (b as number), 1), 0);
}

test('nsfwjs MobileNetV2 loads as a Layers model; last-blocks trains block_16, Conv_1 and the head, in inference mode', () => {
  const network = assertTrainableNetwork(mobilenet.network, mobilenet.identity.id);
  const plan = trainablePlan(network, 'last-blocks');
  assert.deepEqual(plan.layers, ['block_16_expand', 'block_16_depthwise', 'block_16_project', 'Conv_1', 'dense_1', 'dense_2', 'dense_3']);
  assert.equal(parameterCount(plan.variables), 1_240_517);
  assert.equal(plan.trainingMode, false);
});

test('--layers all trains every convolution and dense layer of MobileNetV2, not only those its Keras config marks trainable', () => {
  const plan = trainablePlan(mobilenet.network as tf.LayersModel, 'all');
  assert.ok(plan.layers.includes('Conv1') && plan.layers.includes('block_1_expand') && plan.layers.includes('dense_3'), plan.layers.join(','));
  assert.ok(plan.layers.every((name) => !/_BN$|_bn$/.test(name)));
  assert.ok(parameterCount(plan.variables) > 2_256_389, `${parameterCount(plan.variables)} weights`);
});

test('a Graph model (nsfwjs MobileNetV2Mid) is refused with the reason', async () => {
  const graph = await loadTfImageModel('nsfwjs-mobilenet-v2-mid');
  try {
    assert.throws(() => assertTrainableNetwork(graph.network, graph.identity.id), /Graph model: its weights are constants/);
  } finally {
    graph.dispose();
  }
});
