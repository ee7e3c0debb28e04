import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserInputError } from '../../main/cli/errors.ts';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from '../../main/io/npy.ts';
import { createNdArray } from '../../main/io/ndarray.ts';

/** The value numpy computes for flat index i in the fixtures below, reproduced exactly in IEEE arithmetic. */
const pattern = (i: number) => (i % 97) / 7 - 3;

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'acsr-npy-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('npy round trip', () => {
  it('writes and reads float64 and float32 arrays of any rank, bit for bit', async () => {
    const cases = [
      createNdArray(
        [8, 8, 3, 64],
        Float64Array.from({ length: 8 * 8 * 3 * 64 }, (_, i) => pattern(i)),
      ),
      createNdArray([5], Float32Array.from([0, -1.5, 3.25, Number.MAX_VALUE, Number.MIN_VALUE])),
      createNdArray([], Float64Array.of(42)),
      createNdArray([0, 3], new Float64Array(0)),
      createNdArray([2, 3], Float64Array.of(Number.NaN, Infinity, -Infinity, -0, 1e-310, 1)),
    ];
    for (const [index, array] of cases.entries()) {
      const path = join(directory, `round-trip-${index}.npy`);
      await writeNpy(path, array);
      const back = await readNpy(path);
      assert.deepEqual(back.shape, array.shape);
      assert.equal(back.data.constructor, array.data.constructor);
      assert.deepEqual(back.data, array.data);
    }
  });

  it('pads the header so that data starts on a 64-byte boundary, as numpy does', () => {
    const bytes = encodeNpy(createNdArray([8, 8, 3, 64], new Float64Array(8 * 8 * 3 * 64)));
    const headerLength = bytes[8] | (bytes[9] << 8);
    assert.equal((10 + headerLength) % 64, 0);
    assert.equal(bytes[10 + headerLength - 1], 0x0a);
    assert.equal(bytes.length, 10 + headerLength + 8 * 8 * 3 * 64 * 8);
  });

  it('decodes from an unaligned buffer', () => {
    const bytes = encodeNpy(createNdArray([3], Float64Array.of(1, 2, 3)));
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    assert.deepEqual(decodeNpy(unaligned).data, Float64Array.of(1, 2, 3));
  });
});

describe('npy errors', () => {
  const valid = () => encodeNpy(createNdArray([2, 2], Float64Array.of(1, 2, 3, 4)));
  const header = (dict: string, version = 1) => {
    const text = dict.padEnd(64 - 10 - 1) + '\n';
    const preamble = version === 1 ? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0] : [];
    return new Uint8Array([...preamble, ...Buffer.from(text, 'latin1')]);
  };
  const messageOf = (bytes: Uint8Array) => {
    try {
      decodeNpy(bytes, 'x.npy');
    } catch (error) {
      assert.ok(error instanceof UserInputError, String(error));
      return error.message;
    }
    return assert.fail('expected an error');
  };

  it('names truncated data, trailing bytes and bad magic', () => {
    const bytes = valid();
    assert.match(
      messageOf(bytes.subarray(0, bytes.length - 3)),
      /^x\.npy: not a valid \.npy file: truncated: shape \(2, 2\) of '<f8' needs 32 data bytes, file has 29/,
    );
    assert.match(messageOf(new Uint8Array([...bytes, 0])), /1 unexpected bytes after the data/);
    assert.match(messageOf(Buffer.from('PK\x03\x04 this is a zip')), /missing the \\x93NUMPY magic/);
    assert.match(messageOf(bytes.subarray(0, 30)), /truncated header/);
  });

  it('names malformed headers, Fortran order and unsupported dtypes', () => {
    assert.match(messageOf(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), ")), /malformed header/);
    assert.match(messageOf(header("{'descr': '<f8', 'shape': (2,), }")), /lacks a boolean 'fortran_order'/);
    assert.match(messageOf(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1), }")), /'shape' tuple of non-negative integers/);
    assert.match(messageOf(header("{'descr': '<f8', 'fortran_order': True, 'shape': (0,), }")), /Fortran-ordered arrays are not supported/);
    assert.match(messageOf(header("{'descr': '<c16', 'fortran_order': False, 'shape': (0,), }")), /unsupported \.npy dtype '<c16'/);
    assert.match(messageOf(header("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (0,), }")), /structured/);
    assert.match(messageOf(header("{'descr': '<f8', 'fortran_order': False, 'shape': __import__('os'), }")), /malformed header/);
  });

  it('gives file-level messages for missing and empty files', async () => {
    await assert.rejects(readNpy(join(directory, 'missing.npy')), { name: 'UserInputError', message: /missing\.npy: file not found/ });
    const empty = join(directory, 'empty.npy');
    await writeFile(empty, '');
    await assert.rejects(readNpy(empty), { name: 'UserInputError', message: /empty\.npy: file is empty \(0 bytes\)/ });
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('npy interoperability with numpy', { skip: hasNumpy ? false : 'python3 with numpy is not installed' }, () => {
  const python = (script: string) => execFileSync('python3', ['-c', script], { cwd: directory, encoding: 'utf8' });

  it('reads the dtypes, versions and layouts numpy writes', async () => {
    python(`
import numpy as np
from numpy.lib import format as npformat
def pattern(shape, dtype='<f8'):
    n = int(np.prod(shape))
    return ((np.arange(n) % 97) / 7.0 - 3.0).reshape(shape).astype(dtype)
np.save('dict_f8.npy', pattern((8, 8, 3, 64)))
np.save('dict_f4.npy', pattern((8, 8, 3, 64), '<f4'))
np.save('gray_dict.npy', pattern((8, 8, 32)))
np.save('big_endian.npy', pattern((3, 4), '>f8'))
np.save('big_endian_f4.npy', pattern((3, 4), '>f4'))
np.save('half.npy', np.array([0.5, -2, 65504, 6e-8], dtype='<f2'))
np.save('u1.npy', np.arange(256, dtype='|u1').reshape(16, 16))
np.save('i4.npy', np.array([-5, 0, 7, 2**31 - 1], dtype='<i4'))
np.save('i8.npy', np.array([-(2**53), 3, 2**53], dtype='<i8'))
np.save('i8_huge.npy', np.array([2**53 + 1], dtype='<i8'))
np.save('u2_be.npy', np.array([1, 65535], dtype='>u2'))
np.save('bool.npy', np.array([True, False, True]))
np.save('scalar.npy', np.float64(2.5))
np.save('fortran.npy', np.asfortranarray(pattern((3, 4))))
np.save('complex.npy', np.zeros(2, dtype=complex))
for version in [(2, 0), (3, 0)]:
    with open('v%d.npy' % version[0], 'wb') as f:
        npformat.write_array(f, pattern((2, 5)), version=version)
`);
    const dictionary = await readNpy(join(directory, 'dict_f8.npy'));
    assert.deepEqual(dictionary.shape, [8, 8, 3, 64]);
    assert.ok(dictionary.data instanceof Float64Array);
    dictionary.data.forEach((value, i) => assert.equal(value, pattern(i)));

    const single = await readNpy(join(directory, 'dict_f4.npy'));
    assert.ok(single.data instanceof Float32Array);
    single.data.forEach((value, i) => assert.equal(value, Math.fround(pattern(i))));

    assert.deepEqual((await readNpy(join(directory, 'gray_dict.npy'))).shape, [8, 8, 32]);
    for (const name of ['big_endian.npy', 'v2.npy', 'v3.npy']) {
      const array = await readNpy(join(directory, name));
      array.data.forEach((value, i) => assert.equal(value, pattern(i), `${name}[${i}]`));
    }
    const bigEndianSingle = await readNpy(join(directory, 'big_endian_f4.npy'));
    assert.ok(bigEndianSingle.data instanceof Float32Array);
    assert.deepEqual(
      Array.from(bigEndianSingle.data),
      Array.from({ length: 12 }, (_, i) => Math.fround(pattern(i))),
    );

    const values = async (name: string) => Array.from((await readNpy(join(directory, name))).data);
    assert.deepEqual(await values('half.npy'), [0.5, -2, 65504, 5.960464477539063e-8]);
    assert.deepEqual(
      await values('u1.npy'),
      Array.from({ length: 256 }, (_, i) => i),
    );
    assert.deepEqual(await values('i4.npy'), [-5, 0, 7, 2 ** 31 - 1]);
    assert.deepEqual(await values('i8.npy'), [-(2 ** 53), 3, 2 ** 53]);
    assert.deepEqual(await values('u2_be.npy'), [1, 65535]);
    assert.deepEqual(await values('bool.npy'), [1, 0, 1]);
    const scalar = await readNpy(join(directory, 'scalar.npy'));
    assert.deepEqual(scalar.shape, []);
    assert.deepEqual(Array.from(scalar.data), [2.5]);

    await assert.rejects(readNpy(join(directory, 'i8_huge.npy')), /cannot be represented exactly/);
    await assert.rejects(readNpy(join(directory, 'fortran.npy')), /Fortran-ordered arrays are not supported/);
    await assert.rejects(readNpy(join(directory, 'complex.npy')), /unsupported \.npy dtype '<c16'/);
  });

  it('writes files numpy loads with the same values, shape and dtype', async () => {
    const dictionary = createNdArray(
      [8, 8, 3, 64],
      Float64Array.from({ length: 8 * 8 * 3 * 64 }, (_, i) => pattern(i)),
    );
    await writeNpy(join(directory, 'from_ts_f8.npy'), dictionary);
    await writeNpy(
      join(directory, 'from_ts_f4.npy'),
      createNdArray(
        [2, 3],
        Float32Array.from({ length: 6 }, (_, i) => pattern(i)),
      ),
    );
    const report = python(`
import numpy as np
a = np.load('from_ts_f8.npy')
b = np.load('from_ts_f4.npy')
expected = ((np.arange(a.size) % 97) / 7.0 - 3.0).reshape(a.shape)
print(a.dtype.str, a.shape, bool(np.array_equal(a, expected)), b.dtype.str, b.shape, bool(np.array_equal(b, expected.ravel()[:6].reshape(2, 3).astype('<f4'))))
`);
    assert.equal(report.trim(), '<f8 (8, 8, 3, 64) True <f4 (2, 3) True');
    // Byte-identical to numpy's own output for the same array.
    python(`import numpy as np; np.save('numpy_copy.npy', np.load('from_ts_f8.npy'))`);
    assert.deepEqual(await readFile(join(directory, 'from_ts_f8.npy')), await readFile(join(directory, 'numpy_copy.npy')));
  });
});
