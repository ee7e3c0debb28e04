/**
 * An attacker who knows the evasion score (benchmark only, not part of the product): the
 * classifier it attacks is the image itself together with its squeezed versions (ACSR
 * purification, JPEG 50, median 3 x 3, 1-, 4-, 3- and 2-bit depth), as the score looks at them. The
 * objective is the sum of one per-version objective over all versions, e.g. minus the
 * cross-entropy towards one wrong class: the image is pushed to that class and so is every
 * squeezed version, so the squeezers agree with the wrong label (small shifts, no flips) and the
 * margin grows. None of the squeezers has a useful gradient, so the backward pass treats each of
 * them as the identity (BPDA, Athalye et al. 2018), the way Carlini and Wagner (2017) and He et
 * al. (2017) attacked feature squeezing. The existing attack loop (iterativeGradientAttack) runs
 * unchanged on this classifier; the squeezers are the product's own defenses.
 */
import type { AttackableClassifier, ImageBatch, ScoreWeights } from '../../main/acsr/attacks/attack-types.ts';
import { clip01 } from '../../main/acsr/attacks/perturbation-norms.ts';
import type { Defense } from '../../main/acsr/defenses/defense.ts';
import { batchFromImages, imagesFromBatch } from '../../main/acsr/evaluation/image-batch.ts';

/** One squeezer, batch in, squeezed batch (same geometry, values in [0, 1]) out. */
export interface BatchSqueezer {
  readonly name: string;
  squeeze(batch: ImageBatch): Promise<ImageBatch>;
}

/** A product defense as a batch squeezer. */
export function defenseSqueezer(defense: Defense): BatchSqueezer {
  return {
    name: defense.name,
    async squeeze(batch) {
      // one image after another: the ACSR defense's engine is not meant for concurrent images
      const outputs = [];
      for (const image of imagesFromBatch(batch)) outputs.push(await defense.purify(image));
      const squeezed = batchFromImages(outputs.map((output) => ({ ...output.image, channels: batch.channels })));
      // the classifier's input must lie in [0, 1]; ACSR's reconstruction may overshoot slightly
      for (let i = 0; i < squeezed.data.length; i++) squeezed.data[i] = clip01(squeezed.data[i]);
      return squeezed;
    },
  };
}

/**
 * A costly squeezer (ACSR purification, some 0.2 s an image) recomputed only every `every` calls
 * of one attack on one batch. In between, squeeze(x_t) is taken as squeeze(x_r) + (x_t - x_r), x_r
 * the batch at the last recomputation: the same first-order view of the squeezer as the identity
 * backward pass, so the attacker's picture is refreshed while the step count stays affordable.
 * Make one per attacked batch: the first call recomputes, and so does a batch of another size.
 */
export function refreshedEvery(squeezer: BatchSqueezer, every: number): BatchSqueezer {
  if (!(Number.isInteger(every) && every >= 1)) throw new RangeError(`refresh interval ${every} is not a positive integer`);
  let calls = 0;
  let anchor: ImageBatch | undefined;
  let squeezedAnchor: ImageBatch | undefined;
  return {
    name: squeezer.name,
    async squeeze(batch) {
      const due = calls++ % every === 0;
      if (due || !anchor || !squeezedAnchor || anchor.data.length !== batch.data.length) {
        anchor = { ...batch, data: Float32Array.from(batch.data) };
        squeezedAnchor = await squeezer.squeeze(anchor);
        return squeezedAnchor;
      }
      const data = new Float32Array(batch.data.length);
      for (let i = 0; i < data.length; i++) data[i] = clip01(squeezedAnchor.data[i] + batch.data[i] - anchor.data[i]);
      return { ...batch, data };
    },
  };
}

/**
 * The attacker's classifier: scores are the image's own (so success and records mean "the
 * undefended classifier is fooled"); the gradient is that of sum over the image and its squeezed
 * versions of the attack's objective, each squeezed version's gradient passed back unchanged.
 * All versions go through the classifier in one batch (the inner classifier's batch size should
 * hold (squeezers + 1) x the attack's batch).
 */
export function squeezerEnsemble(inner: AttackableClassifier, squeezers: readonly BatchSqueezer[]): AttackableClassifier {
  const classCount = inner.classCount;
  return {
    classCount,
    scoreKind: inner.scoreKind,
    scores: (batch) => inner.scores(batch),
    async scoresAndGradient(batch: ImageBatch, weights: ScoreWeights) {
      const versions = [batch, ...(await Promise.all(squeezers.map((s) => s.squeeze(batch))))];
      const size = batch.data.length;
      const all = new Float32Array(versions.length * size);
      versions.forEach((version, v) => all.set(version.data, v * size));
      const rows = batch.count * classCount;
      // each version's block of scores gets the attack's weights for the same images and labels
      const blockWeights: ScoreWeights = (scores) => {
        const w = new Float32Array(scores.length);
        for (let v = 0; v < versions.length; v++) w.set(weights(scores.subarray(v * rows, (v + 1) * rows)), v * rows);
        return w;
      };
      const at = await inner.scoresAndGradient({ ...batch, count: versions.length * batch.count, data: all }, blockWeights);
      const gradient = new Float32Array(size);
      for (let v = 0; v < versions.length; v++) for (let i = 0; i < size; i++) gradient[i] += at.gradient[v * size + i];
      return { scores: at.scores.slice(0, rows), gradient };
    },
  };
}
