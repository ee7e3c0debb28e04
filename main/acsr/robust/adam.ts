/**
 * Adam (Kingma & Ba 2015) with its whole state in the open, so that a checkpoint holds all of it
 * and a resumed run continues bit for bit. tfjs's own AdamOptimizer cannot promise that: its
 * setWeights() recomputes beta^t with pow() where the uninterrupted run multiplied it step by
 * step, so the first update after a resume differs in the last bits.
 *
 *   m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
 *   theta <- theta - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 *
 * beta^t is computed in float64 from the step count t, which the checkpoint records.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const DEFAULT_ADAM: Omit<AdamOptions, 'learningRate'> = Object.freeze({ beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });

export class Adam {
  readonly options: AdamOptions;
  readonly #variables: readonly tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  #step = 0;

  constructor(variables: readonly tf.Variable[], options: AdamOptions) {
    this.options = options;
    this.#variables = variables;
    this.#m = variables.map((variable) => tf.variable(tf.zerosLike(variable), false));
    this.#v = variables.map((variable) => tf.variable(tf.zerosLike(variable), false));
  }

  get step(): number {
    return this.#step;
  }

  /** One update with gradients in the order of the variables given to the constructor. */
  apply(gradients: readonly tf.Tensor[]): void {
    if (gradients.length !== this.#variables.length) throw new RangeError(`${gradients.length} gradients for ${this.#variables.length} variables`);
    const { learningRate, beta1, beta2, epsilon } = this.options;
    const t = this.#step + 1;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    tf.tidy(() => {
      this.#variables.forEach((theta, i) => {
        const g = gradients[i];
        const m = tf.add(tf.mul(this.#m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.#v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.#m[i].assign(m);
        this.#v[i].assign(v);
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        theta.assign(tf.sub(theta, tf.mul(update, learningRate)));
      });
    });
    this.#step = t;
  }

  /** m and v of every variable, in order, and the step count: everything a resume needs. */
  async state(): Promise<{ step: number; m: Float32Array[]; v: Float32Array[] }> {
    return {
      step: this.#step,
      m: await Promise.all(this.#m.map((x) => x.data<'float32'>())),
      v: await Promise.all(this.#v.map((x) => x.data<'float32'>())),
    };
  }

  restore(state: { step: number; m: readonly Float32Array[]; v: readonly Float32Array[] }): void {
    if (state.m.length !== this.#m.length || state.v.length !== this.#v.length) throw new RangeError('optimizer state does not match the trained variables');
    tf.tidy(() => {
      state.m.forEach((values, i) => this.#m[i].assign(tf.tensor(values, this.#m[i].shape)));
      state.v.forEach((values, i) => this.#v[i].assign(tf.tensor(values, this.#v[i].shape)));
    });
    this.#step = state.step;
  }

  dispose(): void {
    tf.dispose([...this.#m, ...this.#v]);
  }
}
