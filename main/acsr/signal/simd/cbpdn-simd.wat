;; SIMD kernels of the CBPDN iteration (the per-frequency Woodbury x-step and the y/u step), run
;; on the solver's float32 buffers inside one shared linear memory (imported), so that the
;; worker threads of the parallel engine run them on the same data.
;;
;; The arithmetic is float32, four values per vector, where the work is (the products and sums
;; over the atoms, the y/u updates); float64 where accuracy needs it (the small Cd x Cd solve
;; per frequency, the data fidelity, the totals of the residual sums). The JS kernels of
;; cbpdn-kernels.ts compute in float64 throughout; cbpdn-f32-kernels.ts mirrors this file's
;; arithmetic operation for operation (the ranges' tails, and the tests' oracle).
;;
;; Regenerate the embedded bytes after editing: npm exec -- node --import tsx build/wasm/build-cbpdn-simd.ts
;; Unrolled loops hold ';; @insert NAME COUNT' where copies of the body marked ';; @snippet NAME'
;; (the one-at-a-time loop after them) go; build/wasm/wat-snippets.ts writes them out before assembly.
;;
;; Pointers are byte addresses. Element counts are multiples of 4 (the caller does the rest in JS).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; x = y - u over `count` float32 values (count a multiple of 4). float32 subtraction of two
  ;; float32 values rounds exactly as float64 subtraction followed by rounding to float32.
  (func (export "yMinusU") (param $x i32) (param $y i32) (param $u i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $x) (f32x4.sub (v128.load (local.get $y)) (v128.load (local.get $u))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $u (i32.add (local.get $u) (i32.const 16)))
        (br $next))))

  ;; The y- and u-steps on `count` values (a multiple of 4), in float32, four values per vector:
  ;;   ax = a x + (1 - a) y;  v = ax + u;  y = v - clip(v, -t, t);  u = v - y
  ;; with a, 1 - a and t rounded to float32 (the caller passes them as float64). The seven sums of
  ;; cbpdn-kernels.ts's UpdateSums are float32 within chunks of 64 values (16 per lane), then
  ;; float64: stored at $sums in the order xNorm2, yNorm2, primal2, dual2, uNorm2, yL1, xL1.
  ;; cbpdn-f32-kernels.ts does the same arithmetic in JS (the tails, and the tests' oracle).
  ;; The clip is pmax(pmin(v, t), -t): one minps/maxps each, where V8 emits min/max as NaN- and
  ;; signed-zero-safe sequences; in this operand order it equals Math.max(-t, Math.min(t, v)) for
  ;; every v, NaN, ties and signed zeros included.
  (func (export "yuStep")
    (param $x i32) (param $y i32) (param $u i32) (param $count i32)
    (param $relaxation f64) (param $threshold f64) (param $sums i32)
    (local $end i32) (local $chunkEnd i32)
    (local $a v128) (local $k v128) (local $t v128) (local $nt v128)
    (local $xi v128) (local $yp v128) (local $v v128) (local $yi v128) (local $ui v128) (local $d v128)
    (local $sx v128) (local $sy v128) (local $sp v128) (local $sd v128) (local $su v128) (local $ly v128) (local $lx v128)
    (local $Sx v128) (local $Sy v128) (local $Sp v128) (local $Sd v128) (local $Su v128) (local $Ly v128) (local $Lx v128)
    (local.set $a (f32x4.splat (f32.demote_f64 (local.get $relaxation))))
    (local.set $k (f32x4.splat (f32.demote_f64 (f64.sub (f64.const 1) (local.get $relaxation)))))
    (local.set $t (f32x4.splat (f32.demote_f64 (local.get $threshold))))
    (local.set $nt (f32x4.neg (local.get $t)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $chunkEnd
          (select (local.get $end) (i32.add (local.get $x) (i32.const 256))
            (i32.lt_u (i32.sub (local.get $end) (local.get $x)) (i32.const 256))))
        (local.set $sx (v128.const i32x4 0 0 0 0))
        (local.set $sy (v128.const i32x4 0 0 0 0))
        (local.set $sp (v128.const i32x4 0 0 0 0))
        (local.set $sd (v128.const i32x4 0 0 0 0))
        (local.set $su (v128.const i32x4 0 0 0 0))
        (local.set $ly (v128.const i32x4 0 0 0 0))
        (local.set $lx (v128.const i32x4 0 0 0 0))
        ;; four vectors a turn (V8 checks for interrupts and bumps the pointers once per turn): the
        ;; same operations on each vector in the same order as the one-vector loop below, which
        ;; takes the chunk's last one to three
        (block $quadsDone
          (loop $quad
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $x) (i32.const 64)) (local.get $chunkEnd)))
            ;; @insert yuVector 4
            (br $quad)))
        (block $chunkDone
          (loop $next
            (br_if $chunkDone (i32.ge_u (local.get $x) (local.get $chunkEnd)))
            ;; @snippet yuVector
            (local.set $xi (v128.load (local.get $x)))
            (local.set $yp (v128.load (local.get $y)))
            (local.set $v
              (f32x4.add
                (f32x4.add (f32x4.mul (local.get $a) (local.get $xi)) (f32x4.mul (local.get $k) (local.get $yp)))
                (v128.load (local.get $u))))
            (local.set $yi (f32x4.sub (local.get $v) (f32x4.pmax (f32x4.pmin (local.get $v) (local.get $t)) (local.get $nt))))
            (local.set $ui (f32x4.sub (local.get $v) (local.get $yi)))
            (v128.store (local.get $y) (local.get $yi))
            (v128.store (local.get $u) (local.get $ui))
            (local.set $sx (f32x4.add (local.get $sx) (f32x4.mul (local.get $xi) (local.get $xi))))
            (local.set $sy (f32x4.add (local.get $sy) (f32x4.mul (local.get $yi) (local.get $yi))))
            (local.set $d (f32x4.sub (local.get $xi) (local.get $yi)))
            (local.set $sp (f32x4.add (local.get $sp) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $d (f32x4.sub (local.get $yp) (local.get $yi)))
            (local.set $sd (f32x4.add (local.get $sd) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $su (f32x4.add (local.get $su) (f32x4.mul (local.get $ui) (local.get $ui))))
            (local.set $ly (f32x4.add (local.get $ly) (f32x4.abs (local.get $yi))))
            (local.set $lx (f32x4.add (local.get $lx) (f32x4.abs (local.get $xi))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $u (i32.add (local.get $u) (i32.const 16)))
            ;; @end
            (br $next)))
        (local.set $Sx (f64x2.add (local.get $Sx) (call $widen (local.get $sx))))
        (local.set $Sy (f64x2.add (local.get $Sy) (call $widen (local.get $sy))))
        (local.set $Sp (f64x2.add (local.get $Sp) (call $widen (local.get $sp))))
        (local.set $Sd (f64x2.add (local.get $Sd) (call $widen (local.get $sd))))
        (local.set $Su (f64x2.add (local.get $Su) (call $widen (local.get $su))))
        (local.set $Ly (f64x2.add (local.get $Ly) (call $widen (local.get $ly))))
        (local.set $Lx (f64x2.add (local.get $Lx) (call $widen (local.get $lx))))
        (br $chunk)))
    (f64.store offset=0 (local.get $sums) (call $lanes (local.get $Sx)))
    (f64.store offset=8 (local.get $sums) (call $lanes (local.get $Sy)))
    (f64.store offset=16 (local.get $sums) (call $lanes (local.get $Sp)))
    (f64.store offset=24 (local.get $sums) (call $lanes (local.get $Sd)))
    (f64.store offset=32 (local.get $sums) (call $lanes (local.get $Su)))
    (f64.store offset=40 (local.get $sums) (call $lanes (local.get $Ly)))
    (f64.store offset=48 (local.get $sums) (call $lanes (local.get $Lx))))

  ;; four float32 lanes [a b c d] as the float64 pair [a + c, b + d]
  (func $widen (param $v v128) (result v128)
    (f64x2.add (f64x2.promote_low_f32x4 (local.get $v))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))))

  (func $lanes (param $v v128) (result f64) (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))
  ;; two float32 values at $p as float64
  (func $load2 (param $p i32) (result v128) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))

  ;; Parseval weight of half-spectrum bin k of a real signal of `width` samples (cbpdn-kernels.ts)
  (func $parseval (param $k i32) (param $width i32) (result f64)
    (if (i32.eqz (local.get $k)) (then (return (f64.const 1))))
    (if (i32.and (i32.eqz (i32.and (local.get $width) (i32.const 1)))
                 (i32.eq (local.get $k) (i32.shr_u (local.get $width) (i32.const 1))))
      (then (return (f64.const 1))))
    (f64.const 2))

  ;; The Woodbury x-step (x-step-woodbury.ts) of group $g on the $n frequencies (a multiple of 4)
  ;; from $b0, four frequencies per vector. The products and sums over the atoms are float32, as
  ;; the buffers are; the Cd x Cd solve per frequency stays float64 (rho I + A^H A can be
  ;; ill-conditioned at small rho), as does the data fidelity, from z. cbpdn-f32-kernels.ts does the same
  ;; arithmetic in JS (the tails, and the tests' oracle).
  ;; $desc holds 15 i32: byte pointers of dictRe, dictIm, dictSignalRe, dictSignalIm, gramRe,
  ;; gramIm, spectrumRe, spectrumIm, signalRe, signalIm, then F, M, Cd, width, spectrumWidth.
  ;; $scratch: 2 Cd n float64 (t then z for the solve), 2 Cd Cd v128 (the Cholesky factor),
  ;; then 2 Cd n float32 (t, then z, for the atom loops).
  ;; Returns the block's Parseval-weighted ||D x - s||^2 when $withFid, else 0.
  (func (export "woodburyBlock")
    (param $desc i32) (param $scratch i32) (param $g i32) (param $b0 i32) (param $n i32) (param $rho f64) (param $withFid i32)
    (result f64)
    (local $dictRe i32) (local $dictIm i32) (local $dsRe i32) (local $dsIm i32) (local $gramRe i32) (local $gramIm i32)
    (local $specRe i32) (local $specIm i32) (local $sigRe i32) (local $sigIm i32)
    (local $F i32) (local $M i32) (local $cd i32) (local $width i32) (local $wf i32)
    (local $tRe i32) (local $tIm i32) (local $L i32) (local $cdn8 i32) (local $n8 i32)
    (local $sRe i32) (local $cdn4 i32) (local $n4 i32)
    (local $dStride i32) (local $diff i32)
    (local $m i32) (local $c i32) (local $j i32) (local $plane i32) (local $dp i32) (local $tp i32) (local $e i32) (local $p i32) (local $end i32)
    (local $rhoV v128) (local $rho4 v128) (local $inv4 v128)
    (local $bRe v128) (local $bIm v128) (local $dRe v128) (local $dImV v128) (local $zRe v128) (local $zIm v128)
    (local $xRe v128) (local $xIm v128) (local $w v128) (local $acc v128) (local $fidelity f64)
    (local.set $dictRe (i32.load offset=0 (local.get $desc)))
    (local.set $dictIm (i32.load offset=4 (local.get $desc)))
    (local.set $dsRe (i32.load offset=8 (local.get $desc)))
    (local.set $dsIm (i32.load offset=12 (local.get $desc)))
    (local.set $gramRe (i32.load offset=16 (local.get $desc)))
    (local.set $gramIm (i32.load offset=20 (local.get $desc)))
    (local.set $specRe (i32.load offset=24 (local.get $desc)))
    (local.set $specIm (i32.load offset=28 (local.get $desc)))
    (local.set $sigRe (i32.load offset=32 (local.get $desc)))
    (local.set $sigIm (i32.load offset=36 (local.get $desc)))
    (local.set $F (i32.load offset=40 (local.get $desc)))
    (local.set $M (i32.load offset=44 (local.get $desc)))
    (local.set $cd (i32.load offset=48 (local.get $desc)))
    (local.set $width (i32.load offset=52 (local.get $desc)))
    (local.set $wf (i32.load offset=56 (local.get $desc)))
    (local.set $n4 (i32.shl (local.get $n) (i32.const 2)))
    (local.set $n8 (i32.shl (local.get $n) (i32.const 3)))
    (local.set $cdn4 (i32.mul (local.get $cd) (local.get $n4)))
    (local.set $cdn8 (i32.mul (local.get $cd) (local.get $n8)))
    (local.set $tRe (local.get $scratch))
    (local.set $tIm (i32.add (local.get $tRe) (local.get $cdn8)))
    (local.set $L (i32.add (local.get $tIm) (local.get $cdn8)))
    ;; float32 t (then z): [Cd][n] re, then [Cd][n] im
    (local.set $sRe (i32.add (local.get $L) (i32.shl (i32.mul (local.get $cd) (local.get $cd)) (i32.const 5))))
    ;; bytes from one channel's dictionary plane to the next one's (same atom)
    (local.set $dStride (i32.shl (i32.mul (local.get $M) (local.get $F)) (i32.const 2)))
    (local.set $rhoV (f64x2.splat (local.get $rho)))
    (local.set $rho4 (f32x4.splat (f32.demote_f64 (local.get $rho))))
    (local.set $inv4 (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (local.get $rho)))))
    (call $zero (local.get $sRe) (i32.shl (local.get $cdn4) (i32.const 1)))

    ;; b = D^H s + rho (y - u), stored in the spectrum;  t_c += D_{c,m} b_m
    (local.set $m (i32.const 0))
    (block $mDone (loop $mLoop
      (br_if $mDone (i32.ge_u (local.get $m) (local.get $M)))
      (local.set $plane (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $g) (local.get $M)) (local.get $m)) (local.get $F)) (local.get $b0)) (i32.const 2)))
      ;; $diff: from the spectrum offset to the dictionary offset (channel 0, atom m) of the same frequency
      (local.set $diff (i32.sub (i32.shl (i32.add (i32.mul (local.get $m) (local.get $F)) (local.get $b0)) (i32.const 2)) (local.get $plane)))
      (local.set $p (local.get $plane))
      (local.set $end (i32.add (local.get $plane) (local.get $n4)))
      (local.set $tp (local.get $sRe))
      ;; two frequency vectors a turn, then the last one alone: the same operations per vector
      (block $jPairDone (loop $jPair
        (br_if $jPairDone (i32.ge_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        ;; @insert rightHandSideVector 2
        (br $jPair)))
      (block $jDone (loop $jLoop
        (br_if $jDone (i32.ge_u (local.get $p) (local.get $end)))
        ;; @snippet rightHandSideVector
        (local.set $bRe (f32x4.add (v128.load (i32.add (local.get $dsRe) (local.get $p)))
          (f32x4.mul (local.get $rho4) (v128.load (i32.add (local.get $specRe) (local.get $p))))))
        (local.set $bIm (f32x4.add (v128.load (i32.add (local.get $dsIm) (local.get $p)))
          (f32x4.mul (local.get $rho4) (v128.load (i32.add (local.get $specIm) (local.get $p))))))
        (v128.store (i32.add (local.get $specRe) (local.get $p)) (local.get $bRe))
        (v128.store (i32.add (local.get $specIm) (local.get $p)) (local.get $bIm))
        (local.set $e (i32.add (local.get $p) (local.get $diff)))
        (local.set $c (i32.const 0))
        (local.set $dp (local.get $tp))
        (block $cDone (loop $cLoop
          (br_if $cDone (i32.ge_u (local.get $c) (local.get $cd)))
          (local.set $dRe (v128.load (i32.add (local.get $dictRe) (local.get $e))))
          (local.set $dImV (v128.load (i32.add (local.get $dictIm) (local.get $e))))
          (v128.store (local.get $dp)
            (f32x4.add (v128.load (local.get $dp))
              (f32x4.sub (f32x4.mul (local.get $dRe) (local.get $bRe)) (f32x4.mul (local.get $dImV) (local.get $bIm)))))
          (v128.store (i32.add (local.get $dp) (local.get $cdn4))
            (f32x4.add (v128.load (i32.add (local.get $dp) (local.get $cdn4)))
              (f32x4.add (f32x4.mul (local.get $dRe) (local.get $bIm)) (f32x4.mul (local.get $dImV) (local.get $bRe)))))
          (local.set $e (i32.add (local.get $e) (local.get $dStride)))
          (local.set $dp (i32.add (local.get $dp) (local.get $n4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $tp (i32.add (local.get $tp) (i32.const 16)))
        ;; @end
        (br $jLoop)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $mLoop)))

    ;; t to float64, z = (rho I + A^H A)^{-1} t per frequency pair, z back to float32
    (call $widenEach (local.get $sRe) (local.get $tRe) (i32.shr_u (local.get $cdn4) (i32.const 1)))
    (local.set $j (i32.const 0))
    (block $sDone (loop $sLoop
      (br_if $sDone (i32.ge_u (local.get $j) (local.get $n)))
      (if (i32.eq (local.get $cd) (i32.const 1))
        (then
          (local.set $p (i32.shl (i32.add (local.get $b0) (local.get $j)) (i32.const 2)))
          (local.set $xRe (f64x2.div (f64x2.splat (f64.const 1))
            (f64x2.add (local.get $rhoV) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $gramRe) (local.get $p)))))))
          (local.set $e (i32.shl (local.get $j) (i32.const 3)))
          (v128.store (i32.add (local.get $tRe) (local.get $e)) (f64x2.mul (v128.load (i32.add (local.get $tRe) (local.get $e))) (local.get $xRe)))
          (v128.store (i32.add (local.get $tIm) (local.get $e)) (f64x2.mul (v128.load (i32.add (local.get $tIm) (local.get $e))) (local.get $xRe))))
        (else
          (if (i32.eq (local.get $cd) (i32.const 3))
            (then
              (call $choleskySolve3 (local.get $gramRe) (local.get $gramIm) (local.get $F) (i32.add (local.get $b0) (local.get $j))
                (local.get $rhoV) (local.get $tRe) (local.get $tIm) (local.get $j) (local.get $n)))
            (else
              (call $choleskySolve (local.get $gramRe) (local.get $gramIm) (local.get $F) (i32.add (local.get $b0) (local.get $j))
                (local.get $cd) (local.get $rhoV) (local.get $tRe) (local.get $tIm) (local.get $j) (local.get $n) (local.get $L))))))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $sLoop)))
    (call $narrowEach (local.get $tRe) (local.get $sRe) (i32.shr_u (local.get $cdn4) (i32.const 1)))
    (if (local.get $withFid) (then
      ;; ||D x - s||^2 = sum_c w(f) |z_c - s_c|^2: D x = A^H x = (A^H b - A^H A z) / rho = z, since
      ;; (rho I + A^H A) z = A^H b. No product over the atoms is needed for the objective.
      (local.set $j (i32.const 0))
      (block $fDone (loop $fLoop
        (br_if $fDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $e (i32.rem_u (i32.add (local.get $b0) (local.get $j)) (local.get $wf)))
        (local.set $w
          (f64x2.replace_lane 1
            (f64x2.splat (call $parseval (local.get $e) (local.get $width)))
            (call $parseval
              (select (i32.const 0) (i32.add (local.get $e) (i32.const 1)) (i32.eq (i32.add (local.get $e) (i32.const 1)) (local.get $wf)))
              (local.get $width))))
        (local.set $c (i32.const 0))
        (block $cDone5 (loop $cLoop5
          (br_if $cDone5 (i32.ge_u (local.get $c) (local.get $cd)))
          (local.set $p (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $g) (local.get $cd)) (local.get $c)) (local.get $F))
            (i32.add (local.get $b0) (local.get $j))) (i32.const 2)))
          (local.set $e (i32.shl (i32.add (i32.mul (local.get $c) (local.get $n)) (local.get $j)) (i32.const 3)))
          (local.set $bRe (f64x2.sub (v128.load (i32.add (local.get $tRe) (local.get $e)))
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $sigRe) (local.get $p))))))
          (local.set $bIm (f64x2.sub (v128.load (i32.add (local.get $tIm) (local.get $e)))
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $sigIm) (local.get $p))))))
          (local.set $acc (f64x2.add (local.get $acc)
            (f64x2.mul (local.get $w)
              (f64x2.add (f64x2.mul (local.get $bRe) (local.get $bRe)) (f64x2.mul (local.get $bIm) (local.get $bIm))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop5)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $fLoop)))
      (local.set $fidelity (call $lanes (local.get $acc)))))

    ;; x = (b - A z) / rho with (A z)_m = sum_c conj(D_{c,m}) z_c
    (local.set $m (i32.const 0))
    (block $mDone3 (loop $mLoop3
      (br_if $mDone3 (i32.ge_u (local.get $m) (local.get $M)))
      (local.set $plane (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $g) (local.get $M)) (local.get $m)) (local.get $F)) (local.get $b0)) (i32.const 2)))
      (local.set $diff (i32.sub (i32.shl (i32.add (i32.mul (local.get $m) (local.get $F)) (local.get $b0)) (i32.const 2)) (local.get $plane)))
      (local.set $p (local.get $plane))
      (local.set $end (i32.add (local.get $plane) (local.get $n4)))
      (local.set $tp (local.get $sRe))
      ;; two frequency vectors a turn, then the last one alone: the same operations per vector
      (block $jPairDone3 (loop $jPair3
        (br_if $jPairDone3 (i32.ge_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        ;; @insert solutionVector 2
        (br $jPair3)))
      (block $jDone3 (loop $jLoop3
        (br_if $jDone3 (i32.ge_u (local.get $p) (local.get $end)))
        ;; @snippet solutionVector
        (local.set $xRe (v128.load (i32.add (local.get $specRe) (local.get $p))))
        (local.set $xIm (v128.load (i32.add (local.get $specIm) (local.get $p))))
        (local.set $e (i32.add (local.get $p) (local.get $diff)))
        (local.set $dp (local.get $tp))
        (local.set $c (i32.const 0))
        (block $cDone3 (loop $cLoop3
          (br_if $cDone3 (i32.ge_u (local.get $c) (local.get $cd)))
          (local.set $dRe (v128.load (i32.add (local.get $dictRe) (local.get $e))))
          (local.set $dImV (v128.load (i32.add (local.get $dictIm) (local.get $e))))
          (local.set $zRe (v128.load (local.get $dp)))
          (local.set $zIm (v128.load (i32.add (local.get $dp) (local.get $cdn4))))
          (local.set $xRe (f32x4.sub (local.get $xRe)
            (f32x4.add (f32x4.mul (local.get $dRe) (local.get $zRe)) (f32x4.mul (local.get $dImV) (local.get $zIm)))))
          (local.set $xIm (f32x4.sub (local.get $xIm)
            (f32x4.sub (f32x4.mul (local.get $dRe) (local.get $zIm)) (f32x4.mul (local.get $dImV) (local.get $zRe)))))
          (local.set $e (i32.add (local.get $e) (local.get $dStride)))
          (local.set $dp (i32.add (local.get $dp) (local.get $n4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop3)))
        (local.set $xRe (f32x4.mul (local.get $xRe) (local.get $inv4)))
        (local.set $xIm (f32x4.mul (local.get $xIm) (local.get $inv4)))
        (v128.store (i32.add (local.get $specRe) (local.get $p)) (local.get $xRe))
        (v128.store (i32.add (local.get $specIm) (local.get $p)) (local.get $xIm))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $tp (i32.add (local.get $tp) (i32.const 16)))
        ;; @end
        (br $jLoop3)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $mLoop3)))
    (local.get $fidelity))

  ;; the upper two float32 lanes of $v as a float64 pair
  (func $highPair (param $v v128) (result v128)
    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))))

  ;; $count float32 values (a multiple of 4) at $from as float64 at $to
  (func $widenEach (param $from i32) (param $to i32) (param $count i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
      (local.set $v (v128.load (local.get $from)))
      (v128.store (local.get $to) (f64x2.promote_low_f32x4 (local.get $v)))
      (v128.store offset=16 (local.get $to) (call $highPair (local.get $v)))
      (local.set $from (i32.add (local.get $from) (i32.const 16)))
      (local.set $to (i32.add (local.get $to) (i32.const 32)))
      (br $next))))

  ;; $count float64 values (a multiple of 4) at $from rounded to float32 at $to
  (func $narrowEach (param $from i32) (param $to i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $to) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $to) (local.get $end)))
      (v128.store (local.get $to)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (local.get $from)))
          (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $from)))))
      (local.set $from (i32.add (local.get $from) (i32.const 32)))
      (local.set $to (i32.add (local.get $to) (i32.const 16)))
      (br $next))))

  ;; zero $bytes (a multiple of 16) bytes at $p
  (func $zero (param $p i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $bytes)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (v128.const i64x2 0 0))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next))))

  ;; (rho I + G) z = t for the two frequencies f, f+1 at once (one per lane), G Hermitian positive
  ;; semidefinite Cd x Cd at gram[(r Cd + c) F + f]; t, z at tRe/tIm[(r n + j)] float64. Complex
  ;; Cholesky G + rho I = L L^H (L: v128 pairs at $L + 32 (r Cd + c)), then two triangular solves.
  (func $choleskySolve
    (param $gramRe i32) (param $gramIm i32) (param $F i32) (param $f i32) (param $cd i32) (param $rhoV v128)
    (param $tRe i32) (param $tIm i32) (param $j i32) (param $n i32) (param $L i32)
    (local $r i32) (local $c i32) (local $k i32) (local $a i32) (local $b i32) (local $e i32)
    (local $sRe v128) (local $sIm v128) (local $aRe v128) (local $aIm v128) (local $bRe v128) (local $bIm v128) (local $d v128)
    (local.set $r (i32.const 0))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_u (local.get $r) (local.get $cd)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cLoop
        (br_if $cDone (i32.gt_u (local.get $c) (local.get $r)))
        (local.set $e (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $r) (local.get $cd)) (local.get $c)) (local.get $F)) (local.get $f)) (i32.const 2)))
        (local.set $sRe (call $load2 (i32.add (local.get $gramRe) (local.get $e))))
        (local.set $sIm (call $load2 (i32.add (local.get $gramIm) (local.get $e))))
        (if (i32.eq (local.get $r) (local.get $c)) (then (local.set $sRe (f64x2.add (local.get $sRe) (local.get $rhoV)))))
        (local.set $k (i32.const 0))
        (block $kDone (loop $kLoop
          (br_if $kDone (i32.ge_u (local.get $k) (local.get $c)))
          ;; s -= L[r][k] conj(L[c][k])
          (local.set $a (i32.add (local.get $L) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cd)) (local.get $k)) (i32.const 5))))
          (local.set $b (i32.add (local.get $L) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $cd)) (local.get $k)) (i32.const 5))))
          (local.set $aRe (v128.load (local.get $a)))
          (local.set $aIm (v128.load offset=16 (local.get $a)))
          (local.set $bRe (v128.load (local.get $b)))
          (local.set $bIm (v128.load offset=16 (local.get $b)))
          (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $aRe) (local.get $bRe)) (f64x2.mul (local.get $aIm) (local.get $bIm)))))
          (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.sub (f64x2.mul (local.get $aIm) (local.get $bRe)) (f64x2.mul (local.get $aRe) (local.get $bIm)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kLoop)))
        (local.set $a (i32.add (local.get $L) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cd)) (local.get $c)) (i32.const 5))))
        (if (i32.eq (local.get $r) (local.get $c))
          (then
            (v128.store (local.get $a) (f64x2.sqrt (local.get $sRe)))
            (v128.store offset=16 (local.get $a) (v128.const i64x2 0 0)))
          (else
            (local.set $d (v128.load (i32.add (local.get $L) (i32.shl (i32.mul (local.get $c) (i32.add (local.get $cd) (i32.const 1))) (i32.const 5)))))
            (v128.store (local.get $a) (f64x2.div (local.get $sRe) (local.get $d)))
            (v128.store offset=16 (local.get $a) (f64x2.div (local.get $sIm) (local.get $d)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cLoop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop)))
    ;; forward: L w = t
    (local.set $r (i32.const 0))
    (block $fDone (loop $fLoop
      (br_if $fDone (i32.ge_u (local.get $r) (local.get $cd)))
      (local.set $e (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 3)))
      (local.set $sRe (v128.load (i32.add (local.get $tRe) (local.get $e))))
      (local.set $sIm (v128.load (i32.add (local.get $tIm) (local.get $e))))
      (local.set $k (i32.const 0))
      (block $kDone2 (loop $kLoop2
        (br_if $kDone2 (i32.ge_u (local.get $k) (local.get $r)))
        (local.set $a (i32.add (local.get $L) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cd)) (local.get $k)) (i32.const 5))))
        (local.set $aRe (v128.load (local.get $a)))
        (local.set $aIm (v128.load offset=16 (local.get $a)))
        (local.set $b (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))
        (local.set $bRe (v128.load (i32.add (local.get $tRe) (local.get $b))))
        (local.set $bIm (v128.load (i32.add (local.get $tIm) (local.get $b))))
        (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.sub (f64x2.mul (local.get $aRe) (local.get $bRe)) (f64x2.mul (local.get $aIm) (local.get $bIm)))))
        (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.add (f64x2.mul (local.get $aRe) (local.get $bIm)) (f64x2.mul (local.get $aIm) (local.get $bRe)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kLoop2)))
      (local.set $d (v128.load (i32.add (local.get $L) (i32.shl (i32.mul (local.get $r) (i32.add (local.get $cd) (i32.const 1))) (i32.const 5)))))
      (v128.store (i32.add (local.get $tRe) (local.get $e)) (f64x2.div (local.get $sRe) (local.get $d)))
      (v128.store (i32.add (local.get $tIm) (local.get $e)) (f64x2.div (local.get $sIm) (local.get $d)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $fLoop)))
    ;; backward: L^H z = w
    (local.set $r (local.get $cd))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.eqz (local.get $r)))
      (local.set $r (i32.sub (local.get $r) (i32.const 1)))
      (local.set $e (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 3)))
      (local.set $sRe (v128.load (i32.add (local.get $tRe) (local.get $e))))
      (local.set $sIm (v128.load (i32.add (local.get $tIm) (local.get $e))))
      (local.set $k (i32.add (local.get $r) (i32.const 1)))
      (block $kDone3 (loop $kLoop3
        (br_if $kDone3 (i32.ge_u (local.get $k) (local.get $cd)))
        ;; s -= conj(L[k][r]) z_k
        (local.set $a (i32.add (local.get $L) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $cd)) (local.get $r)) (i32.const 5))))
        (local.set $aRe (v128.load (local.get $a)))
        (local.set $aIm (v128.load offset=16 (local.get $a)))
        (local.set $b (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))
        (local.set $bRe (v128.load (i32.add (local.get $tRe) (local.get $b))))
        (local.set $bIm (v128.load (i32.add (local.get $tIm) (local.get $b))))
        (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $aRe) (local.get $bRe)) (f64x2.mul (local.get $aIm) (local.get $bIm)))))
        (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.sub (f64x2.mul (local.get $aRe) (local.get $bIm)) (f64x2.mul (local.get $aIm) (local.get $bRe)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kLoop3)))
      (local.set $d (v128.load (i32.add (local.get $L) (i32.shl (i32.mul (local.get $r) (i32.add (local.get $cd) (i32.const 1))) (i32.const 5)))))
      (v128.store (i32.add (local.get $tRe) (local.get $e)) (f64x2.div (local.get $sRe) (local.get $d)))
      (v128.store (i32.add (local.get $tIm) (local.get $e)) (f64x2.div (local.get $sIm) (local.get $d)))
      (br $bLoop))))

  ;; $choleskySolve for Cd = 3, unrolled: the same float64 operations in the same order, without
  ;; the loops' branches and index arithmetic (each pair of frequencies runs this once per x-step).
  (func $choleskySolve3
    (param $gramRe i32) (param $gramIm i32) (param $F i32) (param $f i32) (param $rhoV v128)
    (param $tRe i32) (param $tIm i32) (param $j i32) (param $n i32)
    (local $F4 i32) (local $fo i32) (local $n8 i32) (local $jo i32)
    (local $d0 v128) (local $d1 v128) (local $d2 v128)
    (local $l10r v128) (local $l10i v128) (local $l20r v128) (local $l20i v128) (local $l21r v128) (local $l21i v128)
    (local $sRe v128) (local $sIm v128)
    (local $w0r v128) (local $w0i v128) (local $w1r v128) (local $w1i v128) (local $w2r v128) (local $w2i v128)
    (local.set $F4 (i32.shl (local.get $F) (i32.const 2)))
    (local.set $fo (i32.shl (local.get $f) (i32.const 2)))
    (local.set $n8 (i32.shl (local.get $n) (i32.const 3)))
    (local.set $jo (i32.shl (local.get $j) (i32.const 3)))
    ;; G + rho I = L L^H: the real diagonal d0 d1 d2 and the complex l10 l20 l21
    (local.set $d0 (f64x2.sqrt (f64x2.add (call $load2 (i32.add (local.get $gramRe) (i32.add (i32.mul (i32.const 0) (local.get $F4)) (local.get $fo)))) (local.get $rhoV))))
    (local.set $sRe (call $load2 (i32.add (local.get $gramRe) (i32.add (i32.mul (i32.const 3) (local.get $F4)) (local.get $fo)))))
    (local.set $sIm (call $load2 (i32.add (local.get $gramIm) (i32.add (i32.mul (i32.const 3) (local.get $F4)) (local.get $fo)))))
    (local.set $l10r (f64x2.div (local.get $sRe) (local.get $d0)))
    (local.set $l10i (f64x2.div (local.get $sIm) (local.get $d0)))
    (local.set $sRe (f64x2.add (call $load2 (i32.add (local.get $gramRe) (i32.add (i32.mul (i32.const 4) (local.get $F4)) (local.get $fo)))) (local.get $rhoV)))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l10r) (local.get $l10r)) (f64x2.mul (local.get $l10i) (local.get $l10i)))))
    (local.set $d1 (f64x2.sqrt (local.get $sRe)))
    (local.set $sRe (call $load2 (i32.add (local.get $gramRe) (i32.add (i32.mul (i32.const 6) (local.get $F4)) (local.get $fo)))))
    (local.set $sIm (call $load2 (i32.add (local.get $gramIm) (i32.add (i32.mul (i32.const 6) (local.get $F4)) (local.get $fo)))))
    (local.set $l20r (f64x2.div (local.get $sRe) (local.get $d0)))
    (local.set $l20i (f64x2.div (local.get $sIm) (local.get $d0)))
    (local.set $sRe (call $load2 (i32.add (local.get $gramRe) (i32.add (i32.mul (i32.const 7) (local.get $F4)) (local.get $fo)))))
    (local.set $sIm (call $load2 (i32.add (local.get $gramIm) (i32.add (i32.mul (i32.const 7) (local.get $F4)) (local.get $fo)))))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l20r) (local.get $l10r)) (f64x2.mul (local.get $l20i) (local.get $l10i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.sub (f64x2.mul (local.get $l20i) (local.get $l10r)) (f64x2.mul (local.get $l20r) (local.get $l10i)))))
    (local.set $l21r (f64x2.div (local.get $sRe) (local.get $d1)))
    (local.set $l21i (f64x2.div (local.get $sIm) (local.get $d1)))
    (local.set $sRe (f64x2.add (call $load2 (i32.add (local.get $gramRe) (i32.add (i32.mul (i32.const 8) (local.get $F4)) (local.get $fo)))) (local.get $rhoV)))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l20r) (local.get $l20r)) (f64x2.mul (local.get $l20i) (local.get $l20i)))))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l21r) (local.get $l21r)) (f64x2.mul (local.get $l21i) (local.get $l21i)))))
    (local.set $d2 (f64x2.sqrt (local.get $sRe)))
    ;; forward: L w = t
    (local.set $sRe (v128.load (i32.add (local.get $tRe) (i32.add (i32.mul (i32.const 0) (local.get $n8)) (local.get $jo)))))
    (local.set $sIm (v128.load (i32.add (local.get $tIm) (i32.add (i32.mul (i32.const 0) (local.get $n8)) (local.get $jo)))))
    (local.set $w0r (f64x2.div (local.get $sRe) (local.get $d0)))
    (local.set $w0i (f64x2.div (local.get $sIm) (local.get $d0)))
    (local.set $sRe (v128.load (i32.add (local.get $tRe) (i32.add (i32.mul (i32.const 1) (local.get $n8)) (local.get $jo)))))
    (local.set $sIm (v128.load (i32.add (local.get $tIm) (i32.add (i32.mul (i32.const 1) (local.get $n8)) (local.get $jo)))))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.sub (f64x2.mul (local.get $l10r) (local.get $w0r)) (f64x2.mul (local.get $l10i) (local.get $w0i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.add (f64x2.mul (local.get $l10r) (local.get $w0i)) (f64x2.mul (local.get $l10i) (local.get $w0r)))))
    (local.set $w1r (f64x2.div (local.get $sRe) (local.get $d1)))
    (local.set $w1i (f64x2.div (local.get $sIm) (local.get $d1)))
    (local.set $sRe (v128.load (i32.add (local.get $tRe) (i32.add (i32.mul (i32.const 2) (local.get $n8)) (local.get $jo)))))
    (local.set $sIm (v128.load (i32.add (local.get $tIm) (i32.add (i32.mul (i32.const 2) (local.get $n8)) (local.get $jo)))))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.sub (f64x2.mul (local.get $l20r) (local.get $w0r)) (f64x2.mul (local.get $l20i) (local.get $w0i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.add (f64x2.mul (local.get $l20r) (local.get $w0i)) (f64x2.mul (local.get $l20i) (local.get $w0r)))))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.sub (f64x2.mul (local.get $l21r) (local.get $w1r)) (f64x2.mul (local.get $l21i) (local.get $w1i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.add (f64x2.mul (local.get $l21r) (local.get $w1i)) (f64x2.mul (local.get $l21i) (local.get $w1r)))))
    (local.set $w2r (f64x2.div (local.get $sRe) (local.get $d2)))
    (local.set $w2i (f64x2.div (local.get $sIm) (local.get $d2)))
    ;; backward: L^H z = w, each z_r over w_r
    (local.set $w2r (f64x2.div (local.get $w2r) (local.get $d2)))
    (local.set $w2i (f64x2.div (local.get $w2i) (local.get $d2)))
    (local.set $sRe (local.get $w1r))
    (local.set $sIm (local.get $w1i))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l21r) (local.get $w2r)) (f64x2.mul (local.get $l21i) (local.get $w2i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.sub (f64x2.mul (local.get $l21r) (local.get $w2i)) (f64x2.mul (local.get $l21i) (local.get $w2r)))))
    (local.set $w1r (f64x2.div (local.get $sRe) (local.get $d1)))
    (local.set $w1i (f64x2.div (local.get $sIm) (local.get $d1)))
    (local.set $sRe (local.get $w0r))
    (local.set $sIm (local.get $w0i))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l10r) (local.get $w1r)) (f64x2.mul (local.get $l10i) (local.get $w1i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.sub (f64x2.mul (local.get $l10r) (local.get $w1i)) (f64x2.mul (local.get $l10i) (local.get $w1r)))))
    (local.set $sRe (f64x2.sub (local.get $sRe) (f64x2.add (f64x2.mul (local.get $l20r) (local.get $w2r)) (f64x2.mul (local.get $l20i) (local.get $w2i)))))
    (local.set $sIm (f64x2.sub (local.get $sIm) (f64x2.sub (f64x2.mul (local.get $l20r) (local.get $w2i)) (f64x2.mul (local.get $l20i) (local.get $w2r)))))
    (local.set $w0r (f64x2.div (local.get $sRe) (local.get $d0)))
    (local.set $w0i (f64x2.div (local.get $sIm) (local.get $d0)))
    ;; z back in t, as the looped solve leaves it
    (v128.store (i32.add (local.get $tRe) (i32.add (i32.mul (i32.const 0) (local.get $n8)) (local.get $jo))) (local.get $w0r))
    (v128.store (i32.add (local.get $tIm) (i32.add (i32.mul (i32.const 0) (local.get $n8)) (local.get $jo))) (local.get $w0i))
    (v128.store (i32.add (local.get $tRe) (i32.add (i32.mul (i32.const 1) (local.get $n8)) (local.get $jo))) (local.get $w1r))
    (v128.store (i32.add (local.get $tIm) (i32.add (i32.mul (i32.const 1) (local.get $n8)) (local.get $jo))) (local.get $w1i))
    (v128.store (i32.add (local.get $tRe) (i32.add (i32.mul (i32.const 2) (local.get $n8)) (local.get $jo))) (local.get $w2r))
    (v128.store (i32.add (local.get $tIm) (i32.add (i32.mul (i32.const 2) (local.get $n8)) (local.get $jo))) (local.get $w2i)))

)
