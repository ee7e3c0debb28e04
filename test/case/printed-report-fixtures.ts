/**
 * A real case for the printed-report tests, made the way an examiner makes one: through the
 * `acsr` command line, from the shared photos plus two files a case commonly holds (a small crop,
 * so that purification takes a second, and a photo whose EXIF says where it was taken), tagged,
 * noted and purified once with a tiny reference bundle trained for real.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { CaseFolder } from '../../main/case/case-folder.ts';
import { copyPhotos, photosDir, runAcsr } from './case-fixtures.ts';
import { trainTinyBundle, writePhotoCrop } from './report-fixtures.ts';

export interface PrintedReportCase {
  folder: string;
  /** Item ids by original file name. */
  itemIds: Map<string, number>;
  photoCount: number;
}

/** The EXIF written into gps-tagged.jpg: a camera, a capture time and a position. */
export const GPS_PHOTO = {
  name: 'gps-tagged.jpg',
  make: 'Testcam',
  model: 'TC-100 Mark II',
  captured: '2021:05:04 10:11:12',
  latitude: '51/1 30/1 2676/100',
  longitude: '0/1 7/1 3984/100',
} as const;

export function acsrOk(args: string[]): string {
  const result = runAcsr(args);
  assert.equal(result.code, 0, `acsr ${args.join(' ')}\n${result.stderr}`);
  return result.stdout;
}

export async function buildPrintedReportCase(root: string, options: { purify: boolean }): Promise<PrintedReportCase> {
  const photos = await copyPhotos(join(root, 'photos'));
  await writePhotoCrop('skimage-chelsea.png', join(root, 'photos', 'cat-crop.png'), { left: 150, top: 60, size: 64 });
  await sharp(join(photosDir, 'flower.jpg'))
    .withExif({
      IFD0: { Make: GPS_PHOTO.make, Model: GPS_PHOTO.model },
      IFD2: { DateTimeOriginal: GPS_PHOTO.captured },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: GPS_PHOTO.latitude, GPSLongitudeRef: 'W', GPSLongitude: GPS_PHOTO.longitude },
    })
    .jpeg({ quality: 90 })
    .toFile(join(root, 'photos', GPS_PHOTO.name));

  const folder = join(root, 'case');
  acsrOk([
    'case',
    'create',
    '--case',
    folder,
    '--number',
    'P-2026-11',
    '--title',
    'Printed report check',
    '--requester',
    'Trust & Safety',
    '--examiner',
    'Alice Example',
  ]);
  acsrOk(['case', 'import', '--case', folder, '--in', join(root, 'photos'), '--examiner', 'Alice Example']);
  const opened = await CaseFolder.open(folder);
  const itemIds = new Map(opened.db.listItems().map((item) => [item.originalName, item.id]));
  opened.close();
  const id = (name: string) => String(itemIds.get(name));
  acsrOk(['case', 'tag', '--case', folder, '--item', id('darknet-dog.jpg'), '--category', 'CAT-5', '--comment', 'stock photo', '--examiner', 'Alice Example']);
  acsrOk(['case', 'tag', '--case', folder, '--item', id('darknet-kite.jpg'), '--category', 'CAT-5', '--examiner', 'Bob Example']);
  acsrOk([
    'case',
    'tag',
    '--case',
    folder,
    '--item',
    id(GPS_PHOTO.name),
    '--category',
    'CAT-2',
    '--comment',
    'location in metadata',
    '--examiner',
    'Bob Example',
  ]);
  acsrOk([
    'case',
    'tag',
    '--case',
    folder,
    '--item',
    id('cat-crop.png'),
    '--tag',
    'needs-second-look',
    '--comment',
    'cropped from a larger picture',
    '--examiner',
    'Bob Example',
  ]);
  acsrOk(['case', 'note', '--case', folder, '--item', id('cat-crop.png'), '--text', 'Same cat as in skimage-chelsea.png', '--examiner', 'Bob Example']);

  if (options.purify) {
    const model = await loadTfImageModel('nsfwjs-mobilenet-v2');
    try {
      const bundle = await trainTinyBundle(root, model);
      acsrOk([
        'case',
        'purify',
        '--case',
        folder,
        '--item',
        id('cat-crop.png'),
        '--bundle',
        bundle.path,
        '--classifier',
        'nsfwjs-mobilenet-v2',
        '--max-iterations',
        '15',
        '--threads',
        '1',
        '--examiner',
        'Carol Example',
      ]);
    } finally {
      model.dispose();
    }
  }
  return { folder, itemIds, photoCount: photos.length + 2 };
}
