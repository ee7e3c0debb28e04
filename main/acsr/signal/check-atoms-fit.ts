import { UserInputError } from '../../errors/user-input-error.ts';
import type { ConvDictionary } from './conv-dictionary.ts';

/**
 * The one check, for every caller that codes a person's image (`acsr purify`, `acsr csc`, the
 * workstation's jobs), that a dictionary's atoms fit inside the image: CBPDN's own RangeError
 * would be a crash, this is a line the person can act on. `imageName` names the image in it.
 */
export function checkAtomsFit(
  image: { height: number; width: number },
  dictionary: Pick<ConvDictionary, 'atomHeight' | 'atomWidth'>,
  imageName = 'the image',
): void {
  if (image.height >= dictionary.atomHeight && image.width >= dictionary.atomWidth) return;
  const atoms = dictionary.atomHeight === dictionary.atomWidth ? `${dictionary.atomHeight} px` : `${dictionary.atomHeight}x${dictionary.atomWidth} px`;
  throw new UserInputError(`${imageName} (${image.height}x${image.width}) is smaller than the dictionary's atoms (${atoms})`);
}
