// Prints the float64 agreement with every SPORCO reference file (for closing notes and reviews):
//   npm exec -- node --import tsx test/signal/print-conformance.ts
import { loadSporcoReference, relativeMaxError } from '../support/shared-data.ts';
import { solveLikeSporco } from '../support/sporco-conformance.ts';

for (const name of ['cbpdn_gray_fixedrho', 'cbpdn_rgb_shareddict_fixedrho', 'cbpdn_rgb_mcdict_fixedrho', 'cbpdn_rgb_mcdict_defaults']) {
  for (const linearSolver of ['sherman-morrison', 'woodbury'] as const) {
    const ref = loadSporcoReference(name);
    const { solver, run } = await solveLikeSporco(ref, linearSolver);
    const y = relativeMaxError(solver.variableInSporcoLayout('Y').data, ref.arrays.Y.data);
    const x = relativeMaxError(solver.variableInSporcoLayout('X').data, ref.arrays.X.data);
    const obj = relativeMaxError(
      run.stats.map((s) => s.objective),
      ref.itstat.ObjFun,
    );
    console.log(
      `${name} (${linearSolver}): iterations ${run.iterations}/${ref.iterations}  X ${x.toExponential(1)}  Y ${y.toExponential(1)}  ObjFun ${obj.toExponential(1)}`,
    );
  }
}
