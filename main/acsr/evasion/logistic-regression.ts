/**
 * A small L2-regularised logistic regression, fitted by Newton's method on standardised features,
 * for the evasion score's calibration. Written here rather than taken from a library because it
 * is a few dozen lines, must be deterministic (the same data give the same bits), and must be
 * auditable next to the bundle that stores its result.
 *
 * Model: P(attacked | x) = sigmoid(b + sum_j w_j z_j), z_j = (x_j - mean_j) / scale_j.
 * Objective (minimised): sum_i c_i logloss_i + (l2 / 2) ||w||^2, the bias not penalised. The
 * class weights c_i make both classes weigh the same in total (n / 2 each), so a validation split
 * with two attacked images per clean one does not shift the fit towards "attacked".
 * The penalty keeps the weights finite on separable data, where plain maximum likelihood diverges.
 */
export interface LogisticModel {
  /** per standardised feature */
  readonly weights: number[];
  readonly bias: number;
  readonly means: number[];
  /** standard deviations (1 where a feature does not vary, so that it contributes nothing) */
  readonly scales: number[];
  readonly l2: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export interface LogisticFitOptions {
  readonly l2?: number;
  readonly maxIterations?: number;
  /** stop when the largest Newton step component falls below this */
  readonly tolerance?: number;
}

export const DEFAULT_L2 = 1;

export function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** Fits on rows `features` (each of the same length) with labels 1 (attacked) or 0 (clean). */
export function fitLogistic(features: readonly (readonly number[])[], labels: readonly (0 | 1)[], options: LogisticFitOptions = {}): LogisticModel {
  const l2 = options.l2 ?? DEFAULT_L2;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const n = features.length;
  if (n === 0 || n !== labels.length) throw new RangeError(`logistic fit: ${n} rows and ${labels.length} labels`);
  const p = features[0].length;
  if (features.some((row) => row.length !== p || row.some((v) => !Number.isFinite(v))))
    throw new RangeError('logistic fit: rows of different lengths or non-finite values');
  const positives = labels.filter((y) => y === 1).length;
  if (positives === 0 || positives === n) throw new RangeError('logistic fit: both classes are needed');
  if (!(l2 > 0)) throw new RangeError('logistic fit: the L2 weight must be positive (separable data would diverge)');

  const means = Array.from({ length: p }, (_, j) => features.reduce((s, row) => s + row[j], 0) / n);
  const scales = means.map((m, j) => {
    const sd = Math.sqrt(features.reduce((s, row) => s + (row[j] - m) ** 2, 0) / n);
    return sd > 0 ? sd : 1;
  });
  const z = features.map((row) => row.map((v, j) => (v - means[j]) / scales[j]));
  const classWeight = (y: 0 | 1) => (y === 1 ? n / (2 * positives) : n / (2 * (n - positives)));
  const c = labels.map(classWeight);

  // parameters theta = [w_1..w_p, b]
  const theta = new Array<number>(p + 1).fill(0);
  const objective = (t: number[]) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const eta = linear(t, z[i]);
      // log(1 + e^eta) - y eta, computed stably
      sum += c[i] * (softplus(eta) - labels[i] * eta);
    }
    for (let j = 0; j < p; j++) sum += (l2 / 2) * t[j] * t[j];
    return sum;
  };
  let converged = false;
  let iterations = 0;
  let current = objective(theta);
  for (; iterations < maxIterations && !converged; iterations++) {
    const gradient = new Array<number>(p + 1).fill(0);
    const hessian = Array.from({ length: p + 1 }, () => new Array<number>(p + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const x = [...z[i], 1];
      const prob = sigmoid(linear(theta, z[i]));
      const residual = c[i] * (prob - labels[i]);
      const curvature = c[i] * prob * (1 - prob);
      for (let a = 0; a <= p; a++) {
        gradient[a] += residual * x[a];
        for (let b = 0; b <= a; b++) hessian[a][b] += curvature * x[a] * x[b];
      }
    }
    for (let j = 0; j < p; j++) {
      gradient[j] += l2 * theta[j];
      hessian[j][j] += l2;
    }
    for (let a = 0; a <= p; a++) for (let b = a + 1; b <= p; b++) hessian[a][b] = hessian[b][a];
    // the bias row has no penalty; a tiny ridge keeps the system solvable if every prob saturates
    hessian[p][p] += 1e-12;
    const step = solveSymmetric(hessian, gradient);
    // backtracking: Newton's full step can overshoot far from the optimum
    let factor = 1;
    let candidate = theta.map((t, k) => t - step[k]);
    let value = objective(candidate);
    while (value > current && factor > 1e-8) {
      factor /= 2;
      candidate = theta.map((t, k) => t - factor * step[k]);
      value = objective(candidate);
    }
    const largest = Math.max(...step.map((s) => Math.abs(factor * s)));
    theta.splice(0, p + 1, ...candidate);
    current = value;
    if (largest < tolerance) converged = true;
  }
  return { weights: theta.slice(0, p), bias: theta[p], means, scales, l2, iterations, converged };
}

/** The log-odds of "attacked" and each feature's share of it (w_j z_j; the bias is the rest). */
export function logisticTerms(
  model: Pick<LogisticModel, 'weights' | 'bias' | 'means' | 'scales'>,
  features: readonly number[],
): { logOdds: number; contributions: number[] } {
  if (features.length !== model.weights.length) throw new RangeError(`the model takes ${model.weights.length} features, got ${features.length}`);
  const contributions = features.map((v, j) => model.weights[j] * ((v - model.means[j]) / model.scales[j]));
  return { logOdds: model.bias + contributions.reduce((s, v) => s + v, 0), contributions };
}

export function logisticProbability(model: Pick<LogisticModel, 'weights' | 'bias' | 'means' | 'scales'>, features: readonly number[]): number {
  return sigmoid(logisticTerms(model, features).logOdds);
}

function linear(theta: readonly number[], z: readonly number[]): number {
  let eta = theta[z.length];
  for (let j = 0; j < z.length; j++) eta += theta[j] * z[j];
  return eta;
}

function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** Gaussian elimination with partial pivoting (the system is (p+1) x (p+1), p a handful). */
function solveSymmetric(matrix: readonly number[][], rhs: readonly number[]): number[] {
  const m = matrix.length;
  const a = matrix.map((row, i) => [...row, rhs[i]]);
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const diagonal = a[col][col];
    if (diagonal === 0) throw new RangeError('logistic fit: singular Newton system');
    for (let r = col + 1; r < m; r++) {
      const f = a[r][col] / diagonal;
      if (f === 0) continue;
      for (let k = col; k <= m; k++) a[r][k] -= f * a[col][k];
    }
  }
  const x = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = a[r][m];
    for (let k = r + 1; k < m; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}
