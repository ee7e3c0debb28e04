/**
 * Worker thread of EvidenceImagePool: decodes and PDQ-hashes files from the evidence store's
 * .incoming folder, so that the import's CPU-heavy part runs on every core. Messages are plain
 * objects; a file's failure comes back as data, so one bad file never ends the worker.
 */
import { parentPort } from 'node:worker_threads';
import { examineEvidenceImage } from './evidence-image.ts';
import { ImportFileError } from './file-errors.ts';
import type { ExamineRequest, ExamineResponse } from './evidence-image-pool.ts';

parentPort!.on('message', async (request: ExamineRequest) => {
  let response: ExamineResponse;
  try {
    // By path: libvips reads the file as it decodes, so its size adds nothing to the memory taken.
    const facts = await examineEvidenceImage(request.path, {
      source: request.source,
      maxPixels: request.maxPixels,
      ...(request.filterInput ? { filterInput: request.filterInput } : {}),
    });
    response = { id: request.id, facts };
  } catch (error) {
    response =
      error instanceof ImportFileError
        ? { id: request.id, problem: { kind: error.kind, message: error.message } }
        : { id: request.id, failure: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(response);
});
