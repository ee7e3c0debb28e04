/**
 * Worker thread of EvidenceImagePool: decodes and PDQ-hashes files from the evidence store's
 * .incoming folder, so that the import's CPU-heavy part runs on every core. Messages are plain
 * objects; a file's failure comes back as data, so one bad file never ends the worker.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { examineEvidenceImage } from './evidence-image.ts';
import { ImportFileError } from './file-errors.ts';
import type { ExamineRequest, ExamineResponse } from './evidence-image-pool.ts';

parentPort!.on('message', async (request: ExamineRequest) => {
  let response: ExamineResponse;
  try {
    const facts = await examineEvidenceImage(await readFile(request.path), { source: request.source, maxPixels: request.maxPixels });
    response = { id: request.id, facts };
  } catch (error) {
    response =
      error instanceof ImportFileError
        ? { id: request.id, problem: { kind: error.kind, message: error.message } }
        : { id: request.id, failure: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(response);
});
