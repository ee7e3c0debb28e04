;; The two passes of Pillow's 8-bit bicubic resampling (Resample.c, ImagingResampleHorizontal_8bpc
;; and ImagingResampleVertical_8bpc) with 128-bit integer SIMD, and the block means of its
;; Image.reduce (Reduce.c). The sums are the same integer sums as Pillow's, so the bytes are
;; identical; SIMD only does several at once.
;;
;; Regenerate the embedded bytes after editing: npm exec -- node --import tsx build/wasm/build-pil-resample.ts
;;
;; Pointers are byte addresses. Callers leave 16 bytes of slack after every buffer: loads and
;; stores may run past the last pixel (what they read there is never used, and what they write
;; there is overwritten or ignored).
(module
  (memory (export "memory") 1)

  ;; Pillow's PRECISION_BITS (32 - 8 - 2) and the rounding half it starts every sum at.
  (global $precisionBits i32 (i32.const 22))
  (global $half i32 (i32.const 0x200000))

  ;; Each of `rows` rows (`srcRowBytes` apart) to `outWidth` pixels of `channels` (1 to 4) bytes:
  ;; output x is the sum over t < taps[x] of weights[x * ksize + t] times the pixel at byte
  ;; offset starts[x] + t * channels. One pixel's channels ride in the lanes of one i32x4 (a 4-byte
  ;; load: the lanes past `channels` hold the next pixel and are discarded by a 4-byte store that
  ;; the next pixel overwrites). starts/taps are i32 arrays, weights i32 22-bit fixed point.
  (func (export "resampleRows")
    (param $src i32) (param $srcRowBytes i32) (param $rows i32)
    (param $starts i32) (param $taps i32) (param $weights i32) (param $ksize i32)
    (param $outWidth i32) (param $channels i32) (param $dst i32)
    (local $y i32) (local $x i32) (local $row i32) (local $at i32) (local $w i32) (local $wEnd i32)
    (local $kernelBytes i32) (local $out i32) (local $acc v128)
    (local.set $kernelBytes (i32.shl (local.get $ksize) (i32.const 2)))
    (local.set $out (local.get $dst))
    (local.set $row (local.get $src))
    (local.set $y (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $x (i32.const 0))
        (block $pixelsDone
          (loop $pixelLoop
            (br_if $pixelsDone (i32.ge_u (local.get $x) (local.get $outWidth)))
            (local.set $at (i32.add (local.get $row) (i32.load (i32.add (local.get $starts) (i32.shl (local.get $x) (i32.const 2))))))
            (local.set $w (i32.add (local.get $weights) (i32.mul (local.get $x) (local.get $kernelBytes))))
            (local.set $wEnd (i32.add (local.get $w)
              (i32.shl (i32.load (i32.add (local.get $taps) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 2))))
            (local.set $acc (i32x4.splat (global.get $half)))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $w) (local.get $wEnd)))
                (local.set $acc (i32x4.add (local.get $acc)
                  (i32x4.mul
                    (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $at))))
                    (i32x4.splat (i32.load (local.get $w))))))
                (local.set $at (i32.add (local.get $at) (local.get $channels)))
                (local.set $w (i32.add (local.get $w) (i32.const 4)))
                (br $tapLoop)))
            ;; clip8: shift out the fraction, then saturate to 0..255 (signed narrow, unsigned narrow).
            (local.set $acc (i32x4.shr_s (local.get $acc) (global.get $precisionBits)))
            (local.set $acc (i16x8.narrow_i32x4_s (local.get $acc) (local.get $acc)))
            (v128.store32_lane 0 (local.get $out) (i8x16.narrow_i16x8_u (local.get $acc) (local.get $acc)))
            (local.set $out (i32.add (local.get $out) (local.get $channels)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $pixelLoop)))
        (local.set $row (i32.add (local.get $row) (local.get $srcRowBytes)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

;; resampleRows for RGB, two taps per step with i32x4.dot_i16x8_s (pmaddwd). Each 22-bit
  ;; weight w is split as (w >> 11) * 2^11 + (w & 2047), both halves fitting 16 bits, and the
  ;; two partial sums are recombined as high * 2^11 + low: the int32 sum is the same (wrapping
  ;; arithmetic, and Pillow's sum fits int32). weights: per output pixel, pairStride pairs of
  ;; two i16x8 vectors [h0 h1 h0 h1 h0 h1 0 0] [l0 l1 l0 l1 l0 l1 0 0] (an odd last tap is
  ;; paired with a zero weight); pairs[x] of them are used.
  (func (export "resampleRowsRgb")
    (param $src i32) (param $srcRowBytes i32) (param $rows i32)
    (param $starts i32) (param $pairs i32) (param $weights i32) (param $pairStride i32)
    (param $outWidth i32) (param $dst i32)
    (local $y i32) (local $x i32) (local $row i32) (local $at i32) (local $w i32) (local $wEnd i32)
    (local $kernelBytes i32) (local $out i32) (local $high v128) (local $low v128) (local $pixels v128) (local $acc v128)
    (local $spread v128)
    ;; swizzle indices past 15 give 0: zero extension and reordering in one step.
    (local.set $spread (v128.const i8x16 0 255 3 255 1 255 4 255 2 255 5 255 255 255 255 255))
    (local.set $kernelBytes (i32.shl (local.get $pairStride) (i32.const 5)))
    (local.set $out (local.get $dst))
    (local.set $row (local.get $src))
    (local.set $y (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $x (i32.const 0))
        (block $pixelsDone
          (loop $pixelLoop
            (br_if $pixelsDone (i32.ge_u (local.get $x) (local.get $outWidth)))
            (local.set $at (i32.add (local.get $row) (i32.load (i32.add (local.get $starts) (i32.shl (local.get $x) (i32.const 2))))))
            (local.set $w (i32.add (local.get $weights) (i32.mul (local.get $x) (local.get $kernelBytes))))
            (local.set $wEnd (i32.add (local.get $w)
              (i32.shl (i32.load (i32.add (local.get $pairs) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 5))))
            (local.set $high (v128.const i32x4 0 0 0 0))
            (local.set $low (v128.const i32x4 0 0 0 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $w) (local.get $wEnd)))
                ;; bytes R0 G0 B0 R1 G1 B1 -> i16 lanes R0 R1 G0 G1 B0 B1 0 0
                (local.set $pixels (i8x16.swizzle (v128.load64_zero (local.get $at)) (local.get $spread)))
                (local.set $high (i32x4.add (local.get $high) (i32x4.dot_i16x8_s (local.get $pixels) (v128.load (local.get $w)))))
                (local.set $low (i32x4.add (local.get $low) (i32x4.dot_i16x8_s (local.get $pixels) (v128.load offset=16 (local.get $w)))))
                (local.set $at (i32.add (local.get $at) (i32.const 6)))
                (local.set $w (i32.add (local.get $w) (i32.const 32)))
                (br $tapLoop)))
            (local.set $acc (i32x4.add
              (i32x4.add (i32x4.shl (local.get $high) (i32.const 11)) (local.get $low))
              (i32x4.splat (global.get $half))))
            (local.set $acc (i32x4.shr_s (local.get $acc) (global.get $precisionBits)))
            (local.set $acc (i16x8.narrow_i32x4_s (local.get $acc) (local.get $acc)))
            (v128.store32_lane 0 (local.get $out) (i8x16.narrow_i16x8_u (local.get $acc) (local.get $acc)))
            (local.set $out (i32.add (local.get $out) (i32.const 3)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $pixelLoop)))
        (local.set $row (i32.add (local.get $row) (local.get $srcRowBytes)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; Rows of `rowBytes` bytes to `outRows` rows: output row y is the sum over t < taps[y] of
  ;; weights[y * ksize + t] times source row firsts[y] + t, 16 bytes (four i32x4 sums) at a time.
  (func (export "resampleColumns")
    (param $src i32) (param $rowBytes i32) (param $firsts i32) (param $taps i32) (param $weights i32) (param $ksize i32)
    (param $outRows i32) (param $dst i32)
    (local $y i32) (local $i i32) (local $base i32) (local $at i32) (local $w i32) (local $wStart i32) (local $wEnd i32)
    (local $kernelBytes i32) (local $out i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $weight v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $kernelBytes (i32.shl (local.get $ksize) (i32.const 2)))
    (local.set $y (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $outRows)))
        (local.set $base (i32.add (local.get $src)
          (i32.mul (i32.load (i32.add (local.get $firsts) (i32.shl (local.get $y) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $wStart (i32.add (local.get $weights) (i32.mul (local.get $y) (local.get $kernelBytes))))
        (local.set $wEnd (i32.add (local.get $wStart)
          (i32.shl (i32.load (i32.add (local.get $taps) (i32.shl (local.get $y) (i32.const 2)))) (i32.const 2))))
        (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (block $bytesDone
          (loop $byteLoop
            (br_if $bytesDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
            (local.set $a0 (i32x4.splat (global.get $half)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $at (i32.add (local.get $base) (local.get $i)))
            (local.set $w (local.get $wStart))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $w) (local.get $wEnd)))
                (local.set $v (v128.load (local.get $at)))
                (local.set $weight (i32x4.splat (i32.load (local.get $w))))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $weight))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $weight))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $weight))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $weight))))
                (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
                (local.set $w (i32.add (local.get $w) (i32.const 4)))
                (br $tapLoop)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $a0) (global.get $precisionBits))
                  (i32x4.shr_s (local.get $a1) (global.get $precisionBits)))
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $a2) (global.get $precisionBits))
                  (i32x4.shr_s (local.get $a3) (global.get $precisionBits)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $byteLoop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; Image.reduce, first half: the sums of `bandRows` rows (`rowBytes` apart) down each byte
  ;; column, as u16 at dst (2 bytes per column), 16 columns at a time. Callers keep
  ;; bandRows <= 257, so that 255 x bandRows fits 16 bits.
  (func (export "sumRowBand") (param $src i32) (param $rowBytes i32) (param $bandRows i32) (param $dst i32)
    (local $i i32) (local $at i32) (local $left i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local.set $i (i32.const 0))
    (block $columnsDone
      (loop $columnLoop
        (br_if $columnsDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
        (local.set $lo (v128.const i32x4 0 0 0 0))
        (local.set $hi (v128.const i32x4 0 0 0 0))
        (local.set $at (i32.add (local.get $src) (local.get $i)))
        (local.set $left (local.get $bandRows))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.eqz (local.get $left)))
            (local.set $v (v128.load (local.get $at)))
            (local.set $lo (i16x8.add (local.get $lo) (i16x8.extend_low_i8x16_u (local.get $v))))
            (local.set $hi (i16x8.add (local.get $hi) (i16x8.extend_high_i8x16_u (local.get $v))))
            (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
            (local.set $left (i32.sub (local.get $left) (i32.const 1)))
            (br $rowLoop)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1))) (local.get $lo))
        (v128.store (i32.add (local.get $dst) (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 16))) (local.get $hi))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $columnLoop))))

  ;; Image.reduce, second half: for `blocks` whole blocks of factorX pixels of `channels` bytes,
  ;; each channel's mean ((sum + amend) * multiplier) >> 24 in Pillow's UINT32 arithmetic, from
  ;; the u16 column sums of sumRowBand, one byte each at dst.
  (func (export "meanOfBlocks")
    (param $sums i32) (param $blocks i32) (param $factorX i32) (param $channels i32)
    (param $multiplier i32) (param $amend i32) (param $dst i32)
    (local $block i32) (local $c i32) (local $at i32) (local $end i32) (local $sum i32)
    (local $strideBytes i32) (local $blockBytes i32) (local $blockStart i32)
    (local.set $strideBytes (i32.shl (local.get $channels) (i32.const 1)))
    (local.set $blockBytes (i32.mul (local.get $factorX) (local.get $strideBytes)))
    (local.set $blockStart (local.get $sums))
    (local.set $block (i32.const 0))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $blocks)))
        (local.set $c (i32.const 0))
        (block $channelsDone
          (loop $channelLoop
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $at (i32.add (local.get $blockStart) (i32.shl (local.get $c) (i32.const 1))))
            (local.set $end (i32.add (local.get $at) (local.get $blockBytes)))
            (local.set $sum (local.get $amend))
            (block $pixelsDone
              (loop $pixelLoop
                (br_if $pixelsDone (i32.ge_u (local.get $at) (local.get $end)))
                (local.set $sum (i32.add (local.get $sum) (i32.load16_u (local.get $at))))
                (local.set $at (i32.add (local.get $at) (local.get $strideBytes)))
                (br $pixelLoop)))
            (i32.store8 (local.get $dst) (i32.shr_u (i32.mul (local.get $sum) (local.get $multiplier)) (i32.const 24)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $channelLoop)))
        (local.set $blockStart (i32.add (local.get $blockStart) (local.get $blockBytes)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (br $blockLoop))))
)
