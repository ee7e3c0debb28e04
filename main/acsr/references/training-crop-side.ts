import { UserInputError } from '../../errors/user-input-error.ts';

/**
 * The side of the crops a dictionary learns from: `patchSize`, or the smallest image's short side
 * where that is less. An atom has to fit in a crop, so a training set with a smaller image, or a
 * patch size below the atom size, is refused here, once for every learner (stage i, the single-
 * dictionary baseline, `acsr learn-dictionary`).
 */
export function trainingCropSide(shortestImageSide: number, atomSize: number, patchSize = shortestImageSide): number {
  const side = Math.min(patchSize, shortestImageSide);
  if (side < atomSize) throw new UserInputError(`the smallest training image (${shortestImageSide} px) is smaller than an atom (${atomSize} px)`);
  return side;
}
