import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWatSnippets } from '../../build/wasm/wat-snippets.ts';

/**
 * The CBPDN kernels' unrolled loops are copies of one marked body (build/wasm/wat-snippets.ts):
 * each copy re-indented and with its own labels, the marked body left in place. That the kernels
 * assemble to the embedded bytes is cbpdn-simd-kernels.test.ts.
 */
test('a marked loop body is copied where it is inserted, re-indented, with labels of its own', () => {
  const source = [
    '(func',
    '  (loop $pair',
    '    ;; @insert step 2',
    '    (br $pair))',
    '  (loop $one',
    '      ;; @snippet step',
    '      (block $inner (loop $again (br_if $inner (i32.const 1)) (br $again)))',
    '      (local.set $x.y (i32.const 0))',
    '      ;; @end',
    '    (br $one)))',
  ].join('\n');
  assert.equal(
    expandWatSnippets(source),
    [
      '(func',
      '  (loop $pair',
      '    (block $inner_1 (loop $again_1 (br_if $inner_1 (i32.const 1)) (br $again_1)))',
      '    (local.set $x.y (i32.const 0))',
      '    (block $inner_2 (loop $again_2 (br_if $inner_2 (i32.const 1)) (br $again_2)))',
      '    (local.set $x.y (i32.const 0))',
      '    (br $pair))',
      '  (loop $one',
      '      (block $inner (loop $again (br_if $inner (i32.const 1)) (br $again)))',
      '      (local.set $x.y (i32.const 0))',
      '    (br $one)))',
    ].join('\n'),
  );
});

test('a snippet that is inserted but never marked, marked twice or never ended is an error', () => {
  assert.throws(() => expandWatSnippets(';; @insert missing 2'), /missing is inserted but never defined/);
  assert.throws(() => expandWatSnippets(';; @snippet a\n;; @end\n;; @snippet a\n;; @end'), /a is defined twice/);
  assert.throws(() => expandWatSnippets(';; @snippet open\n(nop)'), /open has no/);
});
