/**
 * What the report's numbers do and do not establish, in words a reviewer without the paper can
 * follow. Printed in every report, whatever it contains, so that no reader takes a purification
 * or a hash distance for more than it is.
 */
import { auditLogLimitations } from '../verification-limits.ts';
import { PDQ_MATCH_THRESHOLD, PDQ_QUALITY_DISCARD_AT_OR_BELOW } from '../../pdq/pdq.ts';

export function reportLimitations(): string[] {
  return [
    'The SHA-256 and MD5 values identify the exact bytes of each evidence file as imported. They show that the stored copy is unchanged since import; they say nothing about where the file came from or what happened to it before import.',
    ...auditLogLimitations(),
    'Purification replaces the fine detail (high-frequency part) of an image with a reconstruction from a dictionary learned on clean reference images of the selected cluster. It is meant to remove small adversarial perturbations. A purified image is a derived picture made by this program, not evidence; the evidence file itself is never modified.',
    'A purified image that the content filter scores differently from the original does not prove the original was attacked, and an unchanged score does not prove it was not. Purification can also change the verdict on a clean image, and it does not restore content that a perturbation removed.',
    "The verdicts are the outputs of the named classifier (model id and weights hash given). They are probabilities from one model, not findings; they have the errors and biases of that model and must not replace an examiner's review.",
    "The cluster used for purification is chosen by the Mahalanobis distance of the image's latent to each reference cluster. The choice depends on the reference bundle (its hash is given) and may be wrong for images unlike the reference data; an examiner's override is shown with its reason.",
    'Robustness was not measured against adaptive attacks: an attacker who knows the purification (for example with BPDA, backward-pass differentiable approximation, through the sparse coding) can craft perturbations that survive it. The results in this report do not reflect such attacks.',
    `PDQ is a perceptual hash: two pictures within Hamming distance ${PDQ_MATCH_THRESHOLD} of 256 bits are usually the same picture, but unrelated pictures can collide and edited copies (crops, rotations other than the eight flips and quarter turns, overlays) can fall outside the threshold. Hashes of quality ${PDQ_QUALITY_DISCARD_AT_OR_BELOW} or less (flat or nearly uniform pictures) are unreliable. A PDQ distance between an input and its purified output measures how much the picture changed at a coarse scale only.`,
    'Thumbnails in the HTML and PDF reports are small, re-encoded previews (blurred and greyscale unless the report says otherwise); they are not the evidence and must not be used for identification.',
    'Times are those of the computer that recorded them (UTC); this program does not check the clock against a trusted time source.',
  ];
}
