"""SPORCO's CBPDN iteration time on this machine, for `acsr bench purify --sporco-ms` and the
CBPDN suite of `npm run bench`, so the speed-up against SPORCO is measured side by side instead of
read from a recorded constant.

The problem is the one the TypeScript suite times: the top-left 256x256 of skimage's astronaut,
its Tikhonov high-pass (lambda 5), 64 random unit-norm 8x8 atoms (multi-channel 8x8x3x64, and one
8x8x64 dictionary shared by the three channels), lambda 0.1, tolerance 0 so every iteration runs.
The figure is the median time of one ADMM iteration from SPORCO's own per-iteration timer.

SPORCO is not an npm package: run this with a Python that has SPORCO 0.2.2 (the version
../shared/reference/sporco/ was made with) on its path, e.g. its source from GitHub and numpy,
scipy, future, filetype and imageio from a local wheel folder:

    python3 test/bench/sporco-cbpdn.py [--iterations 20] [--runs 3]

Prints one JSON line: {"sporcoVersion", "multiChannelDictionary", "sharedDictionary"} in ms per
iteration, plus the numpy and FFT it ran on.
"""

import argparse
import json
import os
import statistics

import numpy as np
try:
    import imageio.v3 as iio
except ImportError:  # imageio before 2.16 (e.g. Debian 12's python3-imageio)
    import imageio as iio
import sporco
from sporco.admm import cbpdn
from sporco import signal as sporco_signal
from sporco import fft as sporco_fft

PHOTO = os.path.join(os.path.dirname(__file__), '../../../shared/data/photos/skimage-astronaut.png')


def ms_per_iteration(dictionary, high, iterations):
    options = cbpdn.ConvBPDN.Options({'Verbose': False, 'MaxMainIter': iterations, 'RelStopTol': 0.0, 'AbsStopTol': 0.0})
    solver = cbpdn.ConvBPDN(dictionary, high, 0.1, options, dimK=0)
    solver.solve()
    elapsed = solver.getitstat().Time
    return 1000 * statistics.median(np.diff(elapsed))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--iterations', type=int, default=20)
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args()

    image = iio.imread(PHOTO).astype(np.float64)[:256, :256, :3] / 255.0
    _, high = sporco_signal.tikhonov_filter(image, 5.0, 16)
    random = np.random.default_rng(7)

    def unit_atoms(shape):
        atoms = random.standard_normal(shape)
        norms = np.sqrt(np.sum(atoms ** 2, axis=tuple(range(atoms.ndim - 1)), keepdims=True))
        return atoms / norms

    figures = {}
    for name, shape in (('multiChannelDictionary', (8, 8, 3, 64)), ('sharedDictionary', (8, 8, 64))):
        dictionary = unit_atoms(shape)
        figures[name] = statistics.median(ms_per_iteration(dictionary, high, args.iterations) for _ in range(args.runs))
    print(json.dumps({
        'sporcoVersion': sporco.__version__,
        'numpy': np.__version__,
        'fft': 'pyfftw' if sporco_fft.have_pyfftw else 'numpy.fft',
        'size': 256,
        'atoms': 64,
        'iterations': args.iterations,
        'runs': args.runs,
        **{key: round(value, 1) for key, value in figures.items()},
    }))


if __name__ == '__main__':
    main()
