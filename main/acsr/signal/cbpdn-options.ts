import type { LinearSolver } from './cbpdn-kernels.ts';

/**
 * Options of the CBPDN ADMM solver. Names follow SPORCO's ConvBPDN.Options (in comments), and so
 * do the defaults: the conformance tests run with exactly these.
 */
export interface AutoRhoOptions {
  /** AutoRho.Enabled */
  readonly enabled: boolean;
  /** AutoRho.Period: rho may change every `period` iterations */
  readonly period: number;
  /** AutoRho.Scaling (tau): the largest factor rho changes by at once */
  readonly scaling: number;
  /** AutoRho.RsdlRatio (mu): residual imbalance that triggers a change */
  readonly residualRatio: number;
  /** AutoRho.RsdlTarget (xi); undefined = SPORCO's lambda-dependent default 1 + 18.3^(log10(lambda) + 1) */
  readonly residualTarget?: number;
  /** AutoRho.AutoScaling: factor sqrt(r / (s xi)) (capped at `scaling`) instead of `scaling` */
  readonly autoScaling: boolean;
}

export interface CbpdnOptions {
  /** MaxMainIter */
  readonly maxIterations: number;
  /** rho; undefined = 50 lambda + 1 */
  readonly rho?: number;
  /** RelaxParam (alpha), over-relaxation */
  readonly relaxation: number;
  /** RelStopTol */
  readonly relativeTolerance: number;
  /** AbsStopTol */
  readonly absoluteTolerance: number;
  readonly autoRho: AutoRhoOptions;
  /**
   * AuxVarObj: evaluate the objective on the auxiliary variable Y (true) or on X (false,
   * SPORCO's default, which costs nothing extra since X's spectrum is at hand).
   */
  readonly objectiveOnY: boolean;
  /** The x-step's exact linear solver: 'woodbury' (fast with AutoRho) or SPORCO's 'sherman-morrison'. */
  readonly linearSolver: LinearSolver;
  /** Skip the per-iteration objective (SPORCO's FastSolve without its loss of the stopping rule). */
  readonly skipObjective: boolean;
}

export const SPORCO_CBPDN_DEFAULTS: CbpdnOptions = Object.freeze({
  maxIterations: 1000,
  rho: undefined,
  relaxation: 1.8,
  relativeTolerance: 1e-3,
  absoluteTolerance: 0,
  autoRho: Object.freeze({
    enabled: true,
    period: 1,
    scaling: 1000,
    residualRatio: 1.2,
    residualTarget: undefined,
    autoScaling: true,
  }),
  objectiveOnY: false,
  skipObjective: false,
  linearSolver: 'woodbury',
});

export type CbpdnOptionsInput = Partial<Omit<CbpdnOptions, 'autoRho'>> & { autoRho?: Partial<AutoRhoOptions> };

export function resolveCbpdnOptions(input: CbpdnOptionsInput = {}): CbpdnOptions {
  const options: CbpdnOptions = {
    ...SPORCO_CBPDN_DEFAULTS,
    ...input,
    autoRho: { ...SPORCO_CBPDN_DEFAULTS.autoRho, ...(input.autoRho ?? {}) },
  };
  const positiveInteger = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  const nonNegative = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be finite and >= 0, got ${v}`);
  };
  positiveInteger('maxIterations', options.maxIterations);
  if (options.rho !== undefined && !(options.rho > 0 && Number.isFinite(options.rho))) {
    throw new RangeError(`rho must be finite and > 0, got ${options.rho}`);
  }
  if (!(options.relaxation > 0 && options.relaxation < 2)) {
    throw new RangeError(`relaxation must lie in (0, 2), got ${options.relaxation}`);
  }
  nonNegative('relativeTolerance', options.relativeTolerance);
  nonNegative('absoluteTolerance', options.absoluteTolerance);
  positiveInteger('autoRho.period', options.autoRho.period);
  if (!(options.autoRho.scaling >= 1)) throw new RangeError(`autoRho.scaling must be >= 1, got ${options.autoRho.scaling}`);
  if (!(options.autoRho.residualRatio >= 1)) throw new RangeError(`autoRho.residualRatio must be >= 1, got ${options.autoRho.residualRatio}`);
  if (options.linearSolver !== 'woodbury' && options.linearSolver !== 'sherman-morrison') {
    throw new RangeError(`linearSolver must be 'woodbury' or 'sherman-morrison', got ${options.linearSolver}`);
  }
  return options;
}

/** SPORCO's default residual target xi for a given lambda (Wohlberg 2015, Sec. VI.C). */
export function defaultResidualTarget(lambda: number): number {
  return lambda !== 0 ? 1 + Math.pow(18.3, Math.log10(lambda) + 1) : 1;
}
