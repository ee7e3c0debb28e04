/**
 * The list of past evaluations names each classifier as the rest of the app does (the registry's
 * display name, whole: the NSFW filters differ only inside their brackets), and by its id when the
 * registry no longer has it. The evaluations are started the app's way (the request kept in their
 * folders), without running them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { registeredModelName } from '../../main/acsr/models/model-registry.ts';
import { listEvaluations } from '../../main/workstation/evaluation-history.ts';
import { EVALUATION_REQUEST_FILE, evalJobParameters, type EvalRequest } from '../../main/workstation/evaluations.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

let workspace: string;

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'acsr-eval-names-'));
});

after(async () => {
  await rm(workspace, { recursive: true, force: true });
});

const request = (modelId: string): EvalRequest => ({ kind: 'eval', labelledFolder: fashionMnistDir, modelId, attacks: 'none', defenses: ['none'] });

test("each past evaluation names its classifier by the registry's display name, or by its id once unregistered", async () => {
  const started = new Date('2026-11-30T10:00:00Z');
  const models = ['nsfwjs-mobilenet-v2', 'nsfwjs-mobilenet-v2-mid', 'fmnist-baseline-cnn-b25dc5da0ce9'];
  const folders: Record<string, string> = {};
  for (const [index, modelId] of models.entries()) {
    const parameters = await evalJobParameters(workspace, request(modelId), new Date(started.getTime() + index * 60_000));
    folders[modelId] = parameters.out;
  }
  // A model the registry no longer has: its evaluation's kept request names an id nothing resolves.
  const retired = 'retired-classifier-7';
  assert.equal(registeredModelName(retired), null);
  const keptFile = join(folders['nsfwjs-mobilenet-v2'], EVALUATION_REQUEST_FILE);
  await writeFile(keptFile, (await readFile(keptFile, 'utf8')).replace('"nsfwjs-mobilenet-v2"', `"${retired}"`));

  const labels = new Map((await listEvaluations(workspace, new Map())).map((entry) => [entry.model?.id, entry.model?.label]));
  assert.equal(labels.size, 3);
  assert.equal(labels.get('nsfwjs-mobilenet-v2-mid'), registeredModelName('nsfwjs-mobilenet-v2-mid'));
  assert.equal(labels.get('nsfwjs-mobilenet-v2-mid'), 'NSFW filter (MobileNetV2 Mid)');
  assert.equal(labels.get('fmnist-baseline-cnn-b25dc5da0ce9'), 'Fashion-MNIST clothing classifier');
  assert.equal(labels.get(retired), retired);
});
