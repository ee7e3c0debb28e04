/**
 * Adam (Kingma and Ba 2015) with TensorFlow's defaults, on one flat parameter vector. The moments
 * are float32, as in TensorFlow, which also halves the memory of a batch of large photos.
 */
export class AdamOptimizer {
  readonly #m: Float32Array;
  readonly #v: Float32Array;
  #t = 0;

  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(size: number, learningRate: number, beta1: number = 0.9, beta2: number = 0.999, epsilon: number = 1e-8) {
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.#m = new Float32Array(size);
    this.#v = new Float32Array(size);
  }

  /** theta <- theta - lr * m_hat / (sqrt(v_hat) + eps), in place. */
  step(theta: Float64Array, gradient: ArrayLike<number>): void {
    this.#t += 1;
    const { beta1, beta2, epsilon } = this;
    // TensorFlow's form: the bias corrections folded into the step size
    const lr = (this.learningRate * Math.sqrt(1 - beta2 ** this.#t)) / (1 - beta1 ** this.#t);
    for (let i = 0; i < theta.length; i++) {
      const g = gradient[i];
      this.#m[i] = beta1 * this.#m[i] + (1 - beta1) * g;
      this.#v[i] = beta2 * this.#v[i] + (1 - beta2) * g * g;
      theta[i] -= (lr * this.#m[i]) / (Math.sqrt(this.#v[i]) + epsilon);
    }
  }
}
