/**
 * Turns ImageArrays (pixels in [0, 1], any size) into what a registered model was trained on:
 * its channel count, its input size through its own resize, and its pixel scaling. Kept as tensor
 * operations so that attacks can differentiate through the preprocessing back to the image pixels.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageArray } from '../array/image-array.ts';
import type { ModelEntry } from './model-registry.ts';

/** skimage.color.rgb2gray, the weights main/io/image.ts uses when it forces greyscale. */
const GREY_WEIGHTS = [0.2125, 0.7154, 0.0721] as const;

export function rasterToTensor(image: ImageArray): tf.Tensor4D {
  const expected = image.height * image.width * image.channels;
  if (image.data.length !== expected) {
    throw new Error(`image data has ${image.data.length} values, expected ${image.height} x ${image.width} x ${image.channels}`);
  }
  const data = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  return tf.tensor4d(data, [1, image.height, image.width, image.channels]);
}

/**
 * Pixels [N, H, W, C] in [0, 1] -> model input [N, h, w, c]. Differentiable. The resize is skipped
 * when the size already matches, as nsfwjs does (align-corners bilinear is the identity then anyway).
 */
export function preprocessPixels(pixels: tf.Tensor4D, entry: ModelEntry): tf.Tensor4D {
  return tf.tidy(() => {
    let x = matchChannels(pixels, entry.input.channels);
    const [, height, width] = x.shape;
    if (height !== entry.input.height || width !== entry.input.width) {
      x = tf.image.resizeBilinear(x, [entry.input.height, entry.input.width], entry.preprocessing.alignCorners);
    }
    const { pixelScale, pixelOffset } = entry.preprocessing;
    if (pixelScale !== 1) x = tf.mul(x, pixelScale);
    if (pixelOffset !== 0) x = tf.add(x, pixelOffset);
    return x;
  });
}

/** A batch of model inputs from images of any sizes (each resized on its own, then stacked). */
export function imagesToModelInput(images: readonly ImageArray[], entry: ModelEntry): tf.Tensor4D {
  return tf.tidy(() => tf.concat(images.map((image) => preprocessPixels(rasterToTensor(image), entry)), 0));
}

function matchChannels(x: tf.Tensor4D, channels: 1 | 3): tf.Tensor4D {
  const have = x.shape[3];
  if (have === channels) return x;
  // A greyscale photo shown to an RGB model is what a browser canvas would give it: R = G = B.
  if (have === 1 && channels === 3) return tf.tile(x, [1, 1, 1, 3]);
  if (have === 3 && channels === 1) {
    return tf.sum(tf.mul(x, tf.tensor1d(GREY_WEIGHTS as unknown as number[])), 3, true) as tf.Tensor4D;
  }
  throw new Error(`cannot feed a ${have}-channel image to a ${channels}-channel model`);
}
