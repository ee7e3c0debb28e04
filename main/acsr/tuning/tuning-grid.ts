/**
 * The grid `acsr tune` sweeps: every combination of a Tikhonov lambda, a CBPDN lambda and an
 * iteration cap. Values are checked here, before any attack runs, so that a typo costs nothing.
 */
import { UserInputError } from '../../errors/user-input-error.ts';

export interface TuningGrid {
  readonly tikhonovLambda: readonly number[];
  readonly cscLambda: readonly number[];
  readonly maxIterations: readonly number[];
}

export interface GridPoint {
  readonly tikhonovLambda: number;
  readonly cscLambda: number;
  readonly maxIterations: number;
}

/** The starting grid: CBPDN lambda around SPORCO's 0.1, Tikhonov around the paper's 5. */
export const DEFAULT_TUNING_GRID: TuningGrid = Object.freeze({
  tikhonovLambda: [2, 5, 10],
  cscLambda: [0.05, 0.1, 0.2, 0.3],
  maxIterations: [50, 100, 200],
});

/** '0.05,0.1,0.2' -> [0.05, 0.1, 0.2]; refuses a value that is not finite and >= 0 (or a whole number >= 1). */
export function parseGridValues(text: string, option: string, kind: 'lambda' | 'iterations'): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) throw new UserInputError(`${option}: give comma-separated values, got '${text}'`);
  const values = parts.map((part) => {
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(part) ? Number(part) : Number.NaN;
    if (kind === 'lambda' && !(Number.isFinite(value) && value >= 0)) throw new UserInputError(`${option}: '${part}' is not a number >= 0`);
    if (kind === 'iterations' && !(Number.isInteger(value) && value >= 1)) throw new UserInputError(`${option}: '${part}' is not a whole number >= 1`);
    return value;
  });
  if (new Set(values).size !== values.length) throw new UserInputError(`${option}: '${text}' names a value twice`);
  return values;
}

/** Cheapest first (fewest iterations, then largest lambdas), the order the sweep runs and the table lists. */
export function gridPoints(grid: TuningGrid): GridPoint[] {
  const points: GridPoint[] = [];
  for (const maxIterations of [...grid.maxIterations].sort((a, b) => a - b)) {
    for (const cscLambda of [...grid.cscLambda].sort((a, b) => b - a)) {
      for (const tikhonovLambda of [...grid.tikhonovLambda].sort((a, b) => b - a)) points.push({ tikhonovLambda, cscLambda, maxIterations });
    }
  }
  return points;
}

/** A stable name for a point, used as its journal key: 't5-c0.1-i200'. */
export function pointKey(point: GridPoint): string {
  return `t${point.tikhonovLambda}-c${point.cscLambda}-i${point.maxIterations}`;
}
