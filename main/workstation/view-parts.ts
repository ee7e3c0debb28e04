/**
 * One panel of the image view as a display PNG: the evidence, the purified output or one of the
 * parts stored with the run (purification-components.ts), each read through its recorded
 * SHA-256, so the view never shows a file that was altered after the run. Signed parts are
 * stored offset by +0.5; here they are drawn as value x gain + 0.5, and the answer states the gain
 * so that the screen can say how each panel is scaled.
 */
import sharp from 'sharp';
import type { CaseFolder } from '../case/case-folder.ts';
import { SIGNED_OFFSET, storedComponentsOf, type ComponentName } from '../case/purification-components.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import type { RenderedViewPart, ViewPart } from '../ipc/contract/index.ts';
import { decodeImage } from '../io/image.ts';
import { runOfItem } from './purification-runs.ts';

/**
 * Display gain of each part (null: drawn as stored). Small signed parts need a gain to be seen at
 * all; it is for display only and never touches what is stored.
 */
export const VIEW_PART_GAIN: Readonly<Record<ViewPart, number | null>> = {
  original: null,
  low: null,
  high: 4,
  reconstructedHigh: 4,
  purified: null,
  difference: 8,
};

export async function renderViewPart(
  opened: CaseFolder,
  request: { itemId: number; runId: number; part: ViewPart; maxEdge: number; examiner?: string },
): Promise<RenderedViewPart> {
  const run = runOfItem(opened, request.itemId, request.runId);
  const bytes = await partBytes(opened, run, request);
  const image = await decodeImage(bytes, { source: `${request.part} of run ${run.id}` });
  const gain = VIEW_PART_GAIN[request.part];
  const samples = new Uint8Array(image.data.length);
  for (let i = 0; i < samples.length; i++) {
    const value = gain === null ? image.data[i] : (image.data[i] - SIGNED_OFFSET) * gain + 0.5;
    samples[i] = Math.round(Math.min(1, Math.max(0, value)) * 255);
  }
  const { data, info } = await sharp(samples, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(request.maxEdge, request.maxEdge, { fit: 'inside', withoutEnlargement: true })
    .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toBuffer({ resolveWithObject: true });
  return { mediaType: 'image/png', base64: data.toString('base64'), width: info.width, height: info.height, gain };
}

async function partBytes(
  opened: CaseFolder,
  run: ReturnType<typeof runOfItem>,
  request: { itemId: number; part: ViewPart; examiner?: string },
): Promise<Buffer> {
  if (request.part === 'original') return (await opened.readEvidence(request.itemId, request.examiner ? { examiner: request.examiner } : {})).bytes;
  if (request.part === 'purified') {
    if (!run.outputStorePath) throw new UserInputError(`run ${run.id} did not keep its output in the case`);
    return readChecked(opened, run.outputStorePath, run.outputSha256, `the purified output of run ${run.id}`);
  }
  const components = storedComponentsOf(run.parameters);
  if (!components) throw new UserInputError(`run ${run.id} was recorded before the parts were kept: purify again to see them`);
  const part = components.parts[request.part as ComponentName];
  return readChecked(opened, part.storePath, part.sha256, `part ${request.part} of run ${run.id}`);
}

async function readChecked(opened: CaseFolder, storePath: string, sha256: string, what: string): Promise<Buffer> {
  const read = await opened.store.read(storePath).catch((error: Error) => {
    throw new UserInputError(`${what} cannot be read (${error.message})`);
  });
  if (read.sha256 !== sha256) throw new UserInputError(`${what} no longer matches its recorded SHA-256: it was altered`);
  return read.bytes;
}
