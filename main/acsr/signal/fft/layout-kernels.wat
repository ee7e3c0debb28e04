;; Data-layout kernels for the PFFFT 2-D path, run inside PFFFT's own linear memory (imported).
;; They replace the JS loops that moved spectra between row-major and column-major order, which
;; cost as much as the FFTs themselves; with 128-bit shuffles they run at near copy speed.
;;
;; Regenerate the embedded bytes after editing: npm exec -- node --import tsx build/wasm/build-layout-kernels.ts
;;
;; All pointers are byte addresses. Callers guarantee: rows even, cols a multiple of 4, and
;; 8-byte alignment of complex buffers (loads/stores are unaligned-tolerant v128 anyway).
(module
  (import "env" "memory" (memory 1))

  ;; dst[c][r] = src[r][c] for a rows x cols matrix of 8-byte elements (one complex float32 each).
  ;; 2x2 element blocks: two 16-byte loads, two shuffles, two 16-byte stores.
  (func (export "transposeComplex") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $a v128) (local $b v128) (local $in i32) (local $out i32)
    (local $srcRowBytes i32) (local $dstRowBytes i32)
    (local.set $srcRowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $dstRowBytes (i32.shl (local.get $rows) (i32.const 3)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $in (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $srcRowBytes))))
        (local.set $out (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 3))))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $a (v128.load (local.get $in)))
            (local.set $b (v128.load (i32.add (local.get $in) (local.get $srcRowBytes))))
            (v128.store (local.get $out)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
            (v128.store (i32.add (local.get $out) (local.get $dstRowBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))
            (local.set $in (i32.add (local.get $in) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $dstRowBytes) (i32.const 1))))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rowLoop))))

  ;; Interleaved column-major spectrum src[c][r] (cols columns of rows complex values) to split
  ;; row-major dstRe/dstIm[r*stride + c], for c < cols. Blocks of 4 columns x 2 rows.
  (func (export "columnsToSplitRows")
    (param $src i32) (param $dstRe i32) (param $dstIm i32) (param $rows i32) (param $cols i32) (param $stride i32)
    (local $r i32) (local $c i32) (local $col i32) (local $colBytes i32) (local $at i32) (local $strideBytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $lo01 v128) (local $lo23 v128) (local $hi01 v128) (local $hi23 v128)
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 3)))
    (local.set $strideBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $colsDone
      (loop $colLoop
        (br_if $colsDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $col (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $colBytes))))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            ;; a_j = [re(c+j, r), im(c+j, r), re(c+j, r+1), im(c+j, r+1)]
            (local.set $a0 (v128.load (local.get $col)))
            (local.set $a1 (v128.load (i32.add (local.get $col) (local.get $colBytes))))
            (local.set $a2 (v128.load (i32.add (local.get $col) (i32.shl (local.get $colBytes) (i32.const 1)))))
            (local.set $a3 (v128.load (i32.add (local.get $col) (i32.mul (local.get $colBytes) (i32.const 3)))))
            ;; lo01 = [re0 r, re1 r, im0 r, im1 r], hi01 = the same for row r+1
            (local.set $lo01 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
            (local.set $lo23 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
            (local.set $hi01 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
            (local.set $hi23 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
            (v128.store (i32.add (local.get $dstRe) (local.get $at))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo01) (local.get $lo23)))
            (v128.store (i32.add (local.get $dstIm) (local.get $at))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo01) (local.get $lo23)))
            (v128.store (i32.add (local.get $dstRe) (i32.add (local.get $at) (local.get $strideBytes)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $hi01) (local.get $hi23)))
            (v128.store (i32.add (local.get $dstIm) (i32.add (local.get $at) (local.get $strideBytes)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $hi01) (local.get $hi23)))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $strideBytes) (i32.const 1))))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $rowLoop)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $colLoop))))

  ;; The inverse of columnsToSplitRows, multiplying by scale on the way.
  (func (export "splitRowsToColumns")
    (param $srcRe i32) (param $srcIm i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $stride i32)
    (param $scale f32)
    (local $r i32) (local $c i32) (local $col i32) (local $colBytes i32) (local $at i32) (local $strideBytes i32)
    (local $k v128) (local $re0 v128) (local $im0 v128) (local $re1 v128) (local $im1 v128)
    (local $ulo v128) (local $uhi v128) (local $vlo v128) (local $vhi v128)
    (local.set $k (f32x4.splat (local.get $scale)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 3)))
    (local.set $strideBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $colsDone
      (loop $colLoop
        (br_if $colsDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $col (i32.add (local.get $dst) (i32.mul (local.get $c) (local.get $colBytes))))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $re0 (f32x4.mul (local.get $k) (v128.load (i32.add (local.get $srcRe) (local.get $at)))))
            (local.set $im0 (f32x4.mul (local.get $k) (v128.load (i32.add (local.get $srcIm) (local.get $at)))))
            (local.set $re1 (f32x4.mul (local.get $k)
              (v128.load (i32.add (local.get $srcRe) (i32.add (local.get $at) (local.get $strideBytes))))))
            (local.set $im1 (f32x4.mul (local.get $k)
              (v128.load (i32.add (local.get $srcIm) (i32.add (local.get $at) (local.get $strideBytes))))))
            ;; ulo = [re c, im c, re c+1, im c+1] of row r, uhi the same for c+2, c+3; v* for row r+1
            (local.set $ulo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $re0) (local.get $im0)))
            (local.set $uhi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $re0) (local.get $im0)))
            (local.set $vlo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $re1) (local.get $im1)))
            (local.set $vhi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $re1) (local.get $im1)))
            (v128.store (local.get $col)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ulo) (local.get $vlo)))
            (v128.store (i32.add (local.get $col) (local.get $colBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ulo) (local.get $vlo)))
            (v128.store (i32.add (local.get $col) (i32.shl (local.get $colBytes) (i32.const 1)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $uhi) (local.get $vhi)))
            (v128.store (i32.add (local.get $col) (i32.mul (local.get $colBytes) (i32.const 3)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $uhi) (local.get $vhi)))
            (local.set $col (i32.add (local.get $col) (i32.const 16)))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $strideBytes) (i32.const 1))))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $rowLoop)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $colLoop))))
)
