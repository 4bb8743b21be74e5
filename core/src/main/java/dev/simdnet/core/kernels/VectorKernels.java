package dev.simdnet.core.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels on the Java Vector API: the only class of simdnet that uses
 * {@code jdk.incubator.vector}. Load it only through {@link KernelProvider}, which checks first that
 * the module is there.
 *
 * <p>The species is a static final, fixed once per JVM (the machine's preferred width, or the one
 * asked for with {@code -Dsimdnet.vector.bits=128|256|512}), so that C2 sees it as a constant and
 * turns every vector operation into single instructions.
 *
 * <p>Loops run to {@code SPECIES.loopBound(n)} and finish with a scalar tail: masked operations are
 * slow without AVX-512. Every matrix product is register-tiled so that each vector loaded from
 * memory feeds several FMAs: AVX2 has 16 vector registers, two FMA units and two load ports, so a
 * tile needs more FMAs than loads, and few enough accumulators that nothing spills. The products
 * the trainer runs, on transposed weights ({@link #forwardTransposed}, {@link #weightStepTransposed}),
 * are the direct product ({@link #direct}) of the generated {@link Tiles}, which packs nothing;
 * the network-layout gradients ({@link #weightGradient}, {@link #inputGradient}) pack their
 * operands into panels first ({@link #gemm}) and the forward pass in that layout is a dot-product
 * tile. Scratch buffers are per thread and reused, so a training step allocates nothing.
 */
final class VectorKernels implements Kernels {

    /** The widest species the CPU runs natively (256 bits, 8 floats, on AVX2). */
    static final int PREFERRED_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    private static final int L = SPECIES.length();

    /**
     * Rows of W swept per block of the forward pass: 64 rows of a 784-input layer are 200 KB, which
     * stays in L2 while every 4-row tile of the minibatch passes over it.
     */
    private static final int FORWARD_ROW_BLOCK = 64;

    private static final ScalarKernels SCALAR = new ScalarKernels();

    /**
     * With 512-bit vectors (AVX-512, 32 registers) the forward pass holds an 8x2 tile: 16
     * accumulators that load each row of W once for 8 examples, halving the traffic from L2 that
     * bounds the 4x2 tile there (about 15% faster on 784x128 and 784x800; no gain at 256 bits).
     */
    private static final boolean EIGHT_ROW_TILES = SPECIES.vectorBitSize() >= 512;

    /** Rows of C per register tile: each of the 4 is one broadcast per step of the depth loop. */
    private static final int MR = 4;
    /** Most vectors of C per register tile: 4x3 tiles hold 12 accumulators, 3 loads, 1 broadcast. */
    private static final int MAX_NV = 3;
    /**
     * Depth of one block: the packed panel of Q, KC x 3 vectors, fills about 24 KB, half of L1, so it
     * stays there while every row tile of P passes over it.
     */
    private static final int KC = Math.max(32, 6144 / (MAX_NV * L));

    /** Per-thread packing buffers, grown when a larger shape first needs them, then reused. */
    private static final class Scratch {
        float[] p = new float[0];
        float[] q = new float[0];
        final float[] edge = new float[MR * MAX_NV * L];
        /** One tile of the direct product, when it cannot be stored in place. */
        final float[] tile = new float[8 * NV_DIRECT * L];
        float[] bias = new float[NV_DIRECT * L];
        int[] starts = new int[0];
        /** Two vectors' lanes, summed one by one in a fixed order (see sumLanes). */
        final float[] lanes = new float[2 * L];

        float[] p(int size) {
            if (p.length < size) {
                p = new float[size];
            }
            return p;
        }

        float[] q(int size) {
            if (q.length < size) {
                q = new float[size];
            }
            return q;
        }
    }

    /** Most vectors of C per tile of the direct product. */
    private static final int NV_DIRECT = 3;
    /**
     * AVX-512 has 32 vector registers (at any width), AVX2 16: with 32, every direct tile is 8 rows
     * (8 x 3 vectors = 24 accumulators); with 16, 4 rows of 2 or 3 vectors, or 8 of one.
     */
    private static final boolean MANY_REGISTERS = PREFERRED_BITS >= 512;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    VectorKernels() {
        if (SPECIES.vectorBitSize() < 128) {
            throw new UnsupportedOperationException(
                    "the preferred vector width is " + PREFERRED_BITS + " bits; at least 128 are needed");
        }
    }

    private static VectorSpecies<Float> chooseSpecies() {
        int bits = PREFERRED_BITS;
        String asked = System.getProperty("simdnet.vector.bits");
        if (asked != null && !asked.isBlank()) {
            try {
                int b = Integer.parseInt(asked.trim());
                // Wider than the hardware would be emulated, slowly: only narrower widths are honoured.
                if ((b == 128 || b == 256 || b == 512) && b <= PREFERRED_BITS) {
                    bits = b;
                }
            } catch (NumberFormatException ignored) {
                // KernelProvider reports the property as ignored; the preferred width stands.
            }
        }
        if (bits < 64) {
            bits = 64;
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /**
     * The FMA peak of one core at this width, estimated by running twelve independent FMA chains on
     * registers for about {@code millis} milliseconds: GFLOP/s, two per multiply-add.
     */
    static double estimatePeakGflops(long millis) {
        double best = 0;
        float sink = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        // Many short calls, so that C2 compiles fmaChains early; the best call is the estimate.
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            sink += fmaChains(4096, 0.999f, 1e-4f);
            long t1 = System.nanoTime();
            best = Math.max(best, 2.0 * 12 * 4096 * L / Math.max(1, t1 - t0));
        }
        return sink == 42.4242f ? best + 1e-9 : best;
    }

    /** Twelve independent FMA chains on registers: they cover the FMA latency (4) times the units (2). */
    private static float fmaChains(int steps, float xs, float ys) {
        FloatVector x = FloatVector.broadcast(SPECIES, xs), y = FloatVector.broadcast(SPECIES, ys);
        FloatVector a0 = y, a1 = y.add(1), a2 = y.add(2), a3 = y.add(3), a4 = y.add(4), a5 = y.add(5);
        FloatVector a6 = y.add(6), a7 = y.add(7), a8 = y.add(8), a9 = y.add(9), a10 = y.add(10), a11 = y.add(11);
        for (int i = 0; i < steps; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void forward(int rows, int in, int out,
                        float[] a, int aOff, int lda,
                        float[] w, int wOff, int ldw,
                        float[] b, int bOff,
                        float[] z, int zOff, int ldz) {
        // Both A and W hold a row's inputs contiguously, so Z[r][j] is a dot product along `in`,
        // computed in place without packing. The packed product of the gradients would need W
        // transposed here, and that element-by-element transpose cost more than it saved
        // (measured on JDK 17 at 256 and 512 bits and with -XX:UseAVX=2). A 4x2 tile (4 rows of A,
        // 2 rows of W) keeps 8 accumulators and shares each loaded vector among 2 or 4 FMAs: 6 loads
        // for 8 FMAs, 11 registers; 4x3 was no faster.
        int kEnd = SPECIES.loopBound(in);
        float[] lanes = SCRATCH.get().lanes;
        for (int j0 = 0; j0 < out; j0 += FORWARD_ROW_BLOCK) {
            int j1 = Math.min(out, j0 + FORWARD_ROW_BLOCK);
            int r = 0;
            if (EIGHT_ROW_TILES) {
                for (; r + 8 <= rows; r += 8) {
                    int ar = aOff + r * lda;
                    int zr = zOff + r * ldz;
                    int j = j0;
                    for (; j + 2 <= j1; j += 2) {
                        forward8x2(in, kEnd, a, ar, lda, w, wOff + j * ldw, ldw, b, bOff + j, z, zr + j, ldz, lanes);
                    }
                    for (; j < j1; j++) {
                        forward4x1(in, kEnd, a, ar, lda, w, wOff + j * ldw, b[bOff + j], z, zr + j, ldz, lanes);
                        forward4x1(in, kEnd, a, ar + 4 * lda, lda, w, wOff + j * ldw, b[bOff + j], z, zr + 4 * ldz + j, ldz, lanes);
                    }
                }
            }
            for (; r + 4 <= rows; r += 4) {
                int ar = aOff + r * lda;
                int zr = zOff + r * ldz;
                int j = j0;
                for (; j + 2 <= j1; j += 2) {
                    forward4x2(in, kEnd, a, ar, lda, w, wOff + j * ldw, ldw, b, bOff + j, z, zr + j, ldz, lanes);
                }
                for (; j < j1; j++) {
                    forward4x1(in, kEnd, a, ar, lda, w, wOff + j * ldw, b[bOff + j], z, zr + j, ldz, lanes);
                }
            }
            for (; r < rows; r++) {
                int ar = aOff + r * lda;
                for (int j = j0; j < j1; j++) {
                    z[zOff + r * ldz + j] = dot(in, kEnd, a, ar, w, wOff + j * ldw, lanes) + b[bOff + j];
                }
            }
        }
    }

    private static void forward4x2(int in, int kEnd, float[] a, int a0, int lda, float[] w, int w0, int ldw,
                                   float[] b, int bj, float[] z, int z0, int ldz, float[] lanes) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int w1 = w0 + ldw;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int k = 0; k < kEnd; k += L) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, w, w0 + k);
            FloatVector v1 = FloatVector.fromArray(SPECIES, w, w1 + k);
            FloatVector x = FloatVector.fromArray(SPECIES, a, a0 + k);
            s00 = x.fma(v0, s00);
            s01 = x.fma(v1, s01);
            x = FloatVector.fromArray(SPECIES, a, a1 + k);
            s10 = x.fma(v0, s10);
            s11 = x.fma(v1, s11);
            x = FloatVector.fromArray(SPECIES, a, a2 + k);
            s20 = x.fma(v0, s20);
            s21 = x.fma(v1, s21);
            x = FloatVector.fromArray(SPECIES, a, a3 + k);
            s30 = x.fma(v0, s30);
            s31 = x.fma(v1, s31);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        float t00 = sumLanes(lanes, 0), t01 = sumLanes(lanes, L);
        s10.intoArray(lanes, 0);
        s11.intoArray(lanes, L);
        float t10 = sumLanes(lanes, 0), t11 = sumLanes(lanes, L);
        s20.intoArray(lanes, 0);
        s21.intoArray(lanes, L);
        float t20 = sumLanes(lanes, 0), t21 = sumLanes(lanes, L);
        s30.intoArray(lanes, 0);
        s31.intoArray(lanes, L);
        float t30 = sumLanes(lanes, 0), t31 = sumLanes(lanes, L);
        for (int k = kEnd; k < in; k++) {
            float v0 = w[w0 + k], v1 = w[w1 + k];
            float x0 = a[a0 + k], x1 = a[a1 + k], x2 = a[a2 + k], x3 = a[a3 + k];
            t00 += x0 * v0;
            t01 += x0 * v1;
            t10 += x1 * v0;
            t11 += x1 * v1;
            t20 += x2 * v0;
            t21 += x2 * v1;
            t30 += x3 * v0;
            t31 += x3 * v1;
        }
        float b0 = b[bj], b1 = b[bj + 1];
        z[z0] = t00 + b0;
        z[z0 + 1] = t01 + b1;
        z[z0 + ldz] = t10 + b0;
        z[z0 + ldz + 1] = t11 + b1;
        z[z0 + 2 * ldz] = t20 + b0;
        z[z0 + 2 * ldz + 1] = t21 + b1;
        z[z0 + 3 * ldz] = t30 + b0;
        z[z0 + 3 * ldz + 1] = t31 + b1;
    }

    private static void forward8x2(int in, int kEnd, float[] a, int a0, int lda, float[] w, int w0, int ldw,
                                   float[] b, int bj, float[] z, int z0, int ldz, float[] lanes) {
        int w1 = w0 + ldw;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;
        FloatVector s30 = s00, s31 = s00, s40 = s00, s41 = s00, s50 = s00, s51 = s00;
        FloatVector s60 = s00, s61 = s00, s70 = s00, s71 = s00;
        for (int k = 0; k < kEnd; k += L) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, w, w0 + k);
            FloatVector v1 = FloatVector.fromArray(SPECIES, w, w1 + k);
            FloatVector x = FloatVector.fromArray(SPECIES, a, a0 + k);
            s00 = x.fma(v0, s00);
            s01 = x.fma(v1, s01);
            x = FloatVector.fromArray(SPECIES, a, a0 + lda + k);
            s10 = x.fma(v0, s10);
            s11 = x.fma(v1, s11);
            x = FloatVector.fromArray(SPECIES, a, a0 + 2 * lda + k);
            s20 = x.fma(v0, s20);
            s21 = x.fma(v1, s21);
            x = FloatVector.fromArray(SPECIES, a, a0 + 3 * lda + k);
            s30 = x.fma(v0, s30);
            s31 = x.fma(v1, s31);
            x = FloatVector.fromArray(SPECIES, a, a0 + 4 * lda + k);
            s40 = x.fma(v0, s40);
            s41 = x.fma(v1, s41);
            x = FloatVector.fromArray(SPECIES, a, a0 + 5 * lda + k);
            s50 = x.fma(v0, s50);
            s51 = x.fma(v1, s51);
            x = FloatVector.fromArray(SPECIES, a, a0 + 6 * lda + k);
            s60 = x.fma(v0, s60);
            s61 = x.fma(v1, s61);
            x = FloatVector.fromArray(SPECIES, a, a0 + 7 * lda + k);
            s70 = x.fma(v0, s70);
            s71 = x.fma(v1, s71);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        finish2(in, kEnd, a, a0, w, w0, w1, b, bj, z, z0, sumLanes(lanes, 0), sumLanes(lanes, L));
        s10.intoArray(lanes, 0);
        s11.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + lda, w, w0, w1, b, bj, z, z0 + ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
        s20.intoArray(lanes, 0);
        s21.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + 2 * lda, w, w0, w1, b, bj, z, z0 + 2 * ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
        s30.intoArray(lanes, 0);
        s31.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + 3 * lda, w, w0, w1, b, bj, z, z0 + 3 * ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
        s40.intoArray(lanes, 0);
        s41.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + 4 * lda, w, w0, w1, b, bj, z, z0 + 4 * ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
        s50.intoArray(lanes, 0);
        s51.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + 5 * lda, w, w0, w1, b, bj, z, z0 + 5 * ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
        s60.intoArray(lanes, 0);
        s61.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + 6 * lda, w, w0, w1, b, bj, z, z0 + 6 * ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
        s70.intoArray(lanes, 0);
        s71.intoArray(lanes, L);
        finish2(in, kEnd, a, a0 + 7 * lda, w, w0, w1, b, bj, z, z0 + 7 * ldz, sumLanes(lanes, 0), sumLanes(lanes, L));
    }

    /**
     * The lanes of a vector stored at {@code lanes[off ..]}, added left to right. Not
     * {@code reduceLanes(ADD)}: its order of additions is unspecified and differs between the
     * interpreter and C2, so results would depend on when the JIT compiled the kernel, and training
     * would not be bit-for-bit reproducible.
     */
    private static float sumLanes(float[] lanes, int off) {
        float s = 0f;
        for (int i = 0; i < L; i++) {
            s += lanes[off + i];
        }
        return s;
    }

    /** One row of an x2 tile: the scalar tail past the last full vector, plus the biases. */
    private static void finish2(int in, int kEnd, float[] a, int ar, float[] w, int w0, int w1,
                                float[] b, int bj, float[] z, int zi, float t0, float t1) {
        for (int k = kEnd; k < in; k++) {
            float x = a[ar + k];
            t0 += x * w[w0 + k];
            t1 += x * w[w1 + k];
        }
        z[zi] = t0 + b[bj];
        z[zi + 1] = t1 + b[bj + 1];
    }

    private static void forward4x1(int in, int kEnd, float[] a, int a0, int lda, float[] w, int w0,
                                   float bias, float[] z, int z0, int ldz, float[] lanes) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < kEnd; k += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, w, w0 + k);
            s0 = FloatVector.fromArray(SPECIES, a, a0 + k).fma(v, s0);
            s1 = FloatVector.fromArray(SPECIES, a, a1 + k).fma(v, s1);
            s2 = FloatVector.fromArray(SPECIES, a, a2 + k).fma(v, s2);
            s3 = FloatVector.fromArray(SPECIES, a, a3 + k).fma(v, s3);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L);
        float t0 = sumLanes(lanes, 0), t1 = sumLanes(lanes, L);
        s2.intoArray(lanes, 0);
        s3.intoArray(lanes, L);
        float t2 = sumLanes(lanes, 0), t3 = sumLanes(lanes, L);
        for (int k = kEnd; k < in; k++) {
            float v = w[w0 + k];
            t0 += a[a0 + k] * v;
            t1 += a[a1 + k] * v;
            t2 += a[a2 + k] * v;
            t3 += a[a3 + k] * v;
        }
        z[z0] = t0 + bias;
        z[z0 + ldz] = t1 + bias;
        z[z0 + 2 * ldz] = t2 + bias;
        z[z0 + 3 * ldz] = t3 + bias;
    }

    /** One dot product of length n; two accumulators hide half of the FMA latency. */
    private static float dot(int n, int kEnd, float[] x, int xOff, float[] y, int yOff, float[] lanes) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        int k = 0;
        for (; k + L < kEnd; k += 2 * L) {
            s0 = FloatVector.fromArray(SPECIES, x, xOff + k).fma(FloatVector.fromArray(SPECIES, y, yOff + k), s0);
            s1 = FloatVector.fromArray(SPECIES, x, xOff + k + L).fma(FloatVector.fromArray(SPECIES, y, yOff + k + L), s1);
        }
        for (; k < kEnd; k += L) {
            s0 = FloatVector.fromArray(SPECIES, x, xOff + k).fma(FloatVector.fromArray(SPECIES, y, yOff + k), s0);
        }
        s0.add(s1).intoArray(lanes, 0);
        float t = sumLanes(lanes, 0);
        for (; k < n; k++) {
            t += x[xOff + k] * y[yOff + k];
        }
        return t;
    }

    @Override
    public void accumulateWeightGradient(int rows, int in, int out,
                                         float[] dz, int dzOff, int lddz,
                                         float[] a, int aOff, int lda,
                                         float[] dw, int dwOff, int lddw) {
        // dW[j][k] += sum_r dZ[r][j] * A[r][k]: P(j, r) = dZ[r][j], Q(r, k) = A[r][k].
        gemm(out, in, rows, dz, dzOff, 1, lddz, a, aOff, lda, dw, dwOff, lddw, true);
    }

    @Override
    public void weightGradient(int rows, int in, int out,
                               float[] dz, int dzOff, int lddz,
                               float[] a, int aOff, int lda,
                               float[] dw, int dwOff, int lddw) {
        gemm(out, in, rows, dz, dzOff, 1, lddz, a, aOff, lda, dw, dwOff, lddw, false);
    }

    @Override
    public void inputGradient(int rows, int in, int out,
                              float[] dz, int dzOff, int lddz,
                              float[] w, int wOff, int ldw,
                              float[] da, int daOff, int ldda) {
        // dA[r][k] = sum_j dZ[r][j] * W[j][k]: P(r, j) = dZ[r][j], Q(j, k) = W[j][k].
        gemm(rows, in, out, dz, dzOff, lddz, 1, w, wOff, ldw, da, daOff, ldda, false);
    }


    /**
     * {@code C[i][k] (+)= sum over t of P(i, t) * Q(t, k)} for i < m, k < n, t < depth, with
     * {@code P(i, t) = p[pOff + i * pi + t * pt]} (either orientation) and Q row-major,
     * {@code Q(t, k) = q[qOff + t * ldq + k]}. Both gradients are this product.
     *
     * <p>Blocks of the depth are packed first: P into panels of 4 rows, interleaved so that a
     * tile's 4 values for one t are adjacent; Q into a panel of up to 3 vectors' width, one row per
     * t. Inside a panel the strides are compile-time constants, so C2 removes the range checks and
     * the micro-kernel's loop is only loads, broadcasts and FMAs. Edges are padded with zeros in the
     * panels and cut off when C is stored.
     */
    private static void gemm(int m, int n, int depth,
                             float[] p, int pOff, int pi, int pt,
                             float[] q, int qOff, int ldq,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        Scratch s = SCRATCH.get();
        int tiles = (m + MR - 1) / MR;
        for (int t0 = 0; t0 < depth; t0 += KC) {
            int kc = Math.min(KC, depth - t0);
            boolean acc = accumulate || t0 > 0;
            float[] pp = s.p(tiles * MR * kc);
            packP(pp, m, tiles, kc, p, pOff + t0 * pt, pi, pt);
            for (int k0 = 0; k0 < n; k0 += MAX_NV * L) {
                int nc = Math.min(MAX_NV * L, n - k0);
                int nv = (nc + L - 1) / L;
                int width = nv * L;
                float[] qp = s.q(kc * MAX_NV * L);
                packQ(qp, width, nc, kc, q, qOff + t0 * ldq + k0, ldq);
                for (int tile = 0; tile < tiles; tile++) {
                    int i0 = tile * MR;
                    int mc = Math.min(MR, m - i0);
                    boolean full = mc == MR && nc == width;
                    float[] dst = full ? c : s.edge;
                    int dOff = full ? cOff + i0 * ldc + k0 : 0;
                    int ldd = full ? ldc : width;
                    boolean dAcc = full && acc;
                    int pBase = tile * kc * MR;
                    switch (nv) {
                        case 3 -> micro4x3(kc, pp, pBase, qp, dst, dOff, ldd, dAcc);
                        case 2 -> micro4x2(kc, pp, pBase, qp, dst, dOff, ldd, dAcc);
                        default -> micro4x1(kc, pp, pBase, qp, dst, dOff, ldd, dAcc);
                    }
                    if (!full) {
                        for (int ii = 0; ii < mc; ii++) {
                            int ci = cOff + (i0 + ii) * ldc + k0;
                            for (int kk = 0; kk < nc; kk++) {
                                float v = s.edge[ii * width + kk];
                                c[ci + kk] = acc ? c[ci + kk] + v : v;
                            }
                        }
                    }
                }
            }
        }
    }

    /** pp[(tile * kc + t) * MR + ii] = P(tile * MR + ii, t), zero past row m. */
    private static void packP(float[] pp, int m, int tiles, int kc, float[] p, int pOff, int pi, int pt) {
        for (int tile = 0; tile < tiles; tile++) {
            int base = tile * kc * MR;
            for (int ii = 0; ii < MR; ii++) {
                int i = tile * MR + ii;
                if (i < m) {
                    int src = pOff + i * pi;
                    for (int t = 0; t < kc; t++) {
                        pp[base + t * MR + ii] = p[src + t * pt];
                    }
                } else {
                    for (int t = 0; t < kc; t++) {
                        pp[base + t * MR + ii] = 0f;
                    }
                }
            }
        }
    }

    /** qp[t * width + kk] = Q(t, kk) for kk < nc, zero up to width: a row copy per t. */
    private static void packQ(float[] qp, int width, int nc, int kc, float[] q, int qOff, int ldq) {
        for (int t = 0; t < kc; t++) {
            System.arraycopy(q, qOff + t * ldq, qp, t * width, nc);
            for (int kk = nc; kk < width; kk++) {
                qp[t * width + kk] = 0f;
            }
        }
    }

    // The micro-kernels: C (4, nv vectors) (+)= Pp (4, kc) * Qp (kc, nv vectors), accumulators in
    // registers for the whole depth, stored once at the end. 4x3 needs 12 accumulators, 3 loaded
    // vectors and 1 broadcast: all 16 AVX2 registers.

    private static void micro4x3(int kc, float[] pp, int pBase, float[] qp, float[] c, int c0, int ldc, boolean acc) {
        FloatVector c00 = load(c, c0, acc), c01 = load(c, c0 + L, acc), c02 = load(c, c0 + 2 * L, acc);
        FloatVector c10 = load(c, c0 + ldc, acc), c11 = load(c, c0 + ldc + L, acc);
        FloatVector c12 = load(c, c0 + ldc + 2 * L, acc), c20 = load(c, c0 + 2 * ldc, acc);
        FloatVector c21 = load(c, c0 + 2 * ldc + L, acc), c22 = load(c, c0 + 2 * ldc + 2 * L, acc);
        FloatVector c30 = load(c, c0 + 3 * ldc, acc), c31 = load(c, c0 + 3 * ldc + L, acc);
        FloatVector c32 = load(c, c0 + 3 * ldc + 2 * L, acc);
        for (int t = 0; t < kc; t++) {
            int qi = t * (3 * L);
            int pIdx = pBase + t * MR;
            FloatVector x0 = FloatVector.fromArray(SPECIES, qp, qi);
            FloatVector x1 = FloatVector.fromArray(SPECIES, qp, qi + L);
            FloatVector x2 = FloatVector.fromArray(SPECIES, qp, qi + 2 * L);
            FloatVector d = FloatVector.broadcast(SPECIES, pp[pIdx]);
            c00 = d.fma(x0, c00);
            c01 = d.fma(x1, c01);
            c02 = d.fma(x2, c02);
            d = FloatVector.broadcast(SPECIES, pp[pIdx + 1]);
            c10 = d.fma(x0, c10);
            c11 = d.fma(x1, c11);
            c12 = d.fma(x2, c12);
            d = FloatVector.broadcast(SPECIES, pp[pIdx + 2]);
            c20 = d.fma(x0, c20);
            c21 = d.fma(x1, c21);
            c22 = d.fma(x2, c22);
            d = FloatVector.broadcast(SPECIES, pp[pIdx + 3]);
            c30 = d.fma(x0, c30);
            c31 = d.fma(x1, c31);
            c32 = d.fma(x2, c32);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + L);
        c02.intoArray(c, c0 + 2 * L);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + L);
        c12.intoArray(c, c0 + ldc + 2 * L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + L);
        c22.intoArray(c, c0 + 2 * ldc + 2 * L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + L);
        c32.intoArray(c, c0 + 3 * ldc + 2 * L);
    }

    private static void micro4x2(int kc, float[] pp, int pBase, float[] qp, float[] c, int c0, int ldc, boolean acc) {
        FloatVector c00 = load(c, c0, acc), c01 = load(c, c0 + L, acc);
        FloatVector c10 = load(c, c0 + ldc, acc), c11 = load(c, c0 + ldc + L, acc);
        FloatVector c20 = load(c, c0 + 2 * ldc, acc), c21 = load(c, c0 + 2 * ldc + L, acc);
        FloatVector c30 = load(c, c0 + 3 * ldc, acc), c31 = load(c, c0 + 3 * ldc + L, acc);
        for (int t = 0; t < kc; t++) {
            int qi = t * (2 * L);
            int pIdx = pBase + t * MR;
            FloatVector x0 = FloatVector.fromArray(SPECIES, qp, qi);
            FloatVector x1 = FloatVector.fromArray(SPECIES, qp, qi + L);
            FloatVector d = FloatVector.broadcast(SPECIES, pp[pIdx]);
            c00 = d.fma(x0, c00);
            c01 = d.fma(x1, c01);
            d = FloatVector.broadcast(SPECIES, pp[pIdx + 1]);
            c10 = d.fma(x0, c10);
            c11 = d.fma(x1, c11);
            d = FloatVector.broadcast(SPECIES, pp[pIdx + 2]);
            c20 = d.fma(x0, c20);
            c21 = d.fma(x1, c21);
            d = FloatVector.broadcast(SPECIES, pp[pIdx + 3]);
            c30 = d.fma(x0, c30);
            c31 = d.fma(x1, c31);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + L);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + L);
    }

    private static void micro4x1(int kc, float[] pp, int pBase, float[] qp, float[] c, int c0, int ldc, boolean acc) {
        // Four accumulators would leave the FMA units waiting on their latency: two sets of four,
        // alternating over t, keep 8 FMAs in flight.
        FloatVector a0 = load(c, c0, acc), a1 = load(c, c0 + ldc, acc);
        FloatVector a2 = load(c, c0 + 2 * ldc, acc), a3 = load(c, c0 + 3 * ldc, acc);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = b0, b2 = b0, b3 = b0;
        int t = 0;
        for (; t + 1 < kc; t += 2) {
            int pIdx = pBase + t * MR;
            FloatVector x = FloatVector.fromArray(SPECIES, qp, t * L);
            a0 = FloatVector.broadcast(SPECIES, pp[pIdx]).fma(x, a0);
            a1 = FloatVector.broadcast(SPECIES, pp[pIdx + 1]).fma(x, a1);
            a2 = FloatVector.broadcast(SPECIES, pp[pIdx + 2]).fma(x, a2);
            a3 = FloatVector.broadcast(SPECIES, pp[pIdx + 3]).fma(x, a3);
            x = FloatVector.fromArray(SPECIES, qp, (t + 1) * L);
            b0 = FloatVector.broadcast(SPECIES, pp[pIdx + 4]).fma(x, b0);
            b1 = FloatVector.broadcast(SPECIES, pp[pIdx + 5]).fma(x, b1);
            b2 = FloatVector.broadcast(SPECIES, pp[pIdx + 6]).fma(x, b2);
            b3 = FloatVector.broadcast(SPECIES, pp[pIdx + 7]).fma(x, b3);
        }
        if (t < kc) {
            int pIdx = pBase + t * MR;
            FloatVector x = FloatVector.fromArray(SPECIES, qp, t * L);
            a0 = FloatVector.broadcast(SPECIES, pp[pIdx]).fma(x, a0);
            a1 = FloatVector.broadcast(SPECIES, pp[pIdx + 1]).fma(x, a1);
            a2 = FloatVector.broadcast(SPECIES, pp[pIdx + 2]).fma(x, a2);
            a3 = FloatVector.broadcast(SPECIES, pp[pIdx + 3]).fma(x, a3);
        }
        a0.add(b0).intoArray(c, c0);
        a1.add(b1).intoArray(c, c0 + ldc);
        a2.add(b2).intoArray(c, c0 + 2 * ldc);
        a3.add(b3).intoArray(c, c0 + 3 * ldc);
    }

    /**
     * A tile's starting accumulator: C's current values when accumulating, else zero. Vectors are
     * only ever returned from small helpers, never passed into them: a helper that C2 does not
     * inline would receive them boxed, on the heap.
     */
    private static FloatVector load(float[] c, int ci, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(SPECIES, c, ci) : FloatVector.zero(SPECIES);
    }

    @Override
    public void forwardTransposed(int rows, int in, int out,
                                  float[] a, int aOff, int lda,
                                  float[] wt, int wtOff, int ldwt,
                                  float[] b, int bOff,
                                  float[] z, int zOff, int ldz) {
        forwardTransposed(rows, in, out, a, strided(rows, lda), 0, aOff, wt, wtOff, ldwt, b, bOff, z, zOff, ldz);
    }

    @Override
    public void forwardTransposed(int rows, int in, int out,
                                  float[] a, int[] aRows, int aRowsOff, int aOff,
                                  float[] wt, int wtOff, int ldwt,
                                  float[] b, int bOff,
                                  float[] z, int zOff, int ldz) {
        // Z[r][j..] = b[j..] + sum_k A[r][k] * WT[k][j..]: P = A by rows, Q = WT.
        direct(rows, out, in, a, aRows, aRowsOff, aOff, true, wt, wtOff, ldwt, b, bOff, z, zOff, ldz,
                null, 0f, 0f, 0f, 0f, false);
    }

    @Override
    public void weightGradientTransposed(int rows, int in, int out,
                                         float[] a, int aOff, int lda,
                                         float[] dz, int dzOff, int lddz,
                                         float[] dwt, int dwtOff, int lddwt) {
        // dWT[k][j..] = sum_r A[r][k] * dZ[r][j..]: P = A by columns, Q = dZ.
        direct(in, out, rows, a, strided(rows, lda), 0, aOff, false, dz, dzOff, lddz, null, 0, dwt, dwtOff, lddwt,
                null, 0f, 0f, 0f, 0f, false);
    }

    @Override
    public void weightGradientTransposed(int rows, int in, int out,
                                         float[] a, int[] aRows, int aRowsOff, int aOff,
                                         float[] dz, int dzOff, int lddz,
                                         float[] dwt, int dwtOff, int lddwt) {
        direct(in, out, rows, a, aRows, aRowsOff, aOff, false, dz, dzOff, lddz, null, 0, dwt, dwtOff, lddwt,
                null, 0f, 0f, 0f, 0f, false);
    }

    @Override
    public void weightStepTransposed(int rows, int in, int out,
                                     float[] a, int aOff, int lda,
                                     float[] dz, int dzOff, int lddz,
                                     float[] wt, int wtOff, int ldwt, float[] velocity,
                                     float gradScale, float learningRate, float momentum, float weightDecay) {
        direct(in, out, rows, a, strided(rows, lda), 0, aOff, false, dz, dzOff, lddz, null, 0, wt, wtOff, ldwt,
                velocity, gradScale, learningRate, momentum, weightDecay, true);
    }

    @Override
    public void weightStepTransposed(int rows, int in, int out,
                                     float[] a, int[] aRows, int aRowsOff, int aOff,
                                     float[] dz, int dzOff, int lddz,
                                     float[] wt, int wtOff, int ldwt, float[] velocity,
                                     float gradScale, float learningRate, float momentum, float weightDecay) {
        direct(in, out, rows, a, aRows, aRowsOff, aOff, false, dz, dzOff, lddz, null, 0, wt, wtOff, ldwt,
                velocity, gradScale, learningRate, momentum, weightDecay, true);
    }

    /** Whether rows {@code starts[s0 .. s0 + r)} are {@link Tiles#ROW_STRIDE} apart, in order. */
    private static boolean fixedApart(int[] starts, int s0, int r) {
        int first = starts[s0];
        for (int i = 1; i < r; i++) {
            if (starts[s0 + i] != first + i * Tiles.ROW_STRIDE) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link Tiles#ROW_STRIDE} for rows of 512 to 1040 values (at most twice the memory): the
     * tiles then read a row's values at one index plus a constant (see {@link Tiles}).
     */
    @Override
    public int leadingDimension(int cols) {
        return cols >= 512 && cols <= Tiles.ROW_STRIDE ? Tiles.ROW_STRIDE : cols;
    }

    /** {@code r * step} for r < n, in this thread's scratch: where each row of A starts. */
    private static int[] strided(int n, int step) {
        Scratch s = SCRATCH.get();
        if (s.starts.length < n) {
            s.starts = new int[n];
        }
        int[] starts = s.starts;
        for (int r = 0; r < n; r++) {
            starts[r] = r * step;
        }
        return starts;
    }

    /**
     * The direct product: {@code C[i][k] = sum over t of P(i, t) * Q(t, k) (+ b[k])}, for i < m,
     * k < n, t < depth, with P read by rows, {@code P(i, t) = p[starts[s0 + i] + col + t]}, or by
     * columns, {@code P(i, t) = p[starts[s0 + t] + col + i]}, and Q row-major,
     * {@code Q(t, k) = q[qOff + t * ldq + k]}. Nothing is packed: the tiles of {@link Tiles}
     * broadcast P straight from its rows or columns, wherever they are, and load Q's rows, which is
     * what the shapes of training want (P is a minibatch of at most a few hundred KB, in L2). Only
     * a last, partial vector of columns is read past its end where Q (and b) go on, its extra
     * lanes computed and dropped, and copied out zero-padded where they do not, so that no load
     * runs past the arrays.
     * With {@code step}, C is the weights: each tile's sums go to a scratch tile in L1 and are the
     * gradient of a step of SGD (see {@link #sgdStep}) taken from there, so that the gradient is
     * never written to memory.
     */
    private static void direct(int m, int n, int depth,
                               float[] p, int[] starts, int s0, int col, boolean byRows,
                               float[] q, int qOff, int ldq,
                               float[] b, int bOff,
                               float[] c, int cOff, int ldc,
                               float[] velocity, float gradScale, float lr, float momentum, float weightDecay,
                               boolean step) {
        Scratch s = SCRATCH.get();
        for (int k0 = 0; k0 < n; k0 += NV_DIRECT * L) {
            int nc = Math.min(NV_DIRECT * L, n - k0);
            int nv = (nc + L - 1) / L;
            int width = nv * L;
            boolean partial = nc < width;
            float[] qq = q;
            float[] bb = b;
            int qo = qOff + k0, lq = ldq, bo = bOff + k0;
            // A last, partial vector of columns reads past them into Q's (and b's) next values when
            // they are there: the tile computes those lanes for nothing, and only nc columns are
            // kept. Copying Q zero-padded instead took most of the output layer's weight step.
            boolean readPast = (long) qo + (long) (depth - 1) * ldq + width <= q.length
                    && (b == null || bo + width <= b.length);
            if (partial && !readPast) {
                qq = s.q(depth * width);
                for (int t = 0; t < depth; t++) {
                    System.arraycopy(q, qOff + t * ldq + k0, qq, t * width, nc);
                    java.util.Arrays.fill(qq, t * width + nc, (t + 1) * width, 0f);
                }
                qo = 0;
                lq = width;
                if (b != null) {
                    bb = s.bias;
                    System.arraycopy(b, bOff + k0, bb, 0, nc);
                    java.util.Arrays.fill(bb, nc, width, 0f);
                    bo = 0;
                }
            }
            int rows = nv == 1 ? (MANY_REGISTERS ? 16 : 8) : MANY_REGISTERS ? 8 : 4;
            for (int i = 0; i < m; ) {
                int left = m - i;
                int r = left >= rows ? rows : left >= 8 && rows > 8 ? 8 : left >= 4 ? 4 : 1;
                float[] dst = partial || step ? s.tile : c;
                int d0 = partial || step ? 0 : cOff + i * ldc + k0;
                int ldd = partial || step ? width : ldc;
                if (byRows && r > 1 && fixedApart(starts, s0 + i, r)) {
                    Tiles.fixed(r, nv, depth, p, starts, s0 + i, col, qq, qo, lq, bb, bo, dst, d0, ldd);
                } else if (byRows) {
                    Tiles.rows(r, nv, depth, p, starts, s0 + i, col, qq, qo, lq, bb, bo, dst, d0, ldd);
                } else {
                    Tiles.cols(r, nv, depth, p, starts, s0, col + i, qq, qo, lq, bb, bo, dst, d0, ldd);
                }
                if (step && ldc == width && nc == width) {
                    // C's rows are as wide as the tile (a panel one tile wide): the tile's rows are
                    // back to back in C as in dst, one step over all of them.
                    step(c, velocity, cOff + i * ldc + k0, dst, 0, r * width, gradScale, lr, momentum, weightDecay);
                } else if (partial || step) {
                    for (int ii = 0; ii < r; ii++) {
                        int ci = cOff + (i + ii) * ldc + k0;
                        if (step) {
                            step(c, velocity, ci, dst, ii * width, nc, gradScale, lr, momentum, weightDecay);
                        } else {
                            System.arraycopy(dst, ii * width, c, ci, nc);
                        }
                    }
                }
                i += r;
            }
        }
    }

    @Override
    public void accumulateBiasGradient(int rows, int out, float[] dz, int dzOff, int lddz, float[] db, int dbOff) {
        int j = 0;
        for (int jEnd = SPECIES.loopBound(out); j < jEnd; j += L) {
            FloatVector s = FloatVector.zero(SPECIES);
            for (int r = 0; r < rows; r++) {
                s = s.add(FloatVector.fromArray(SPECIES, dz, dzOff + r * lddz + j));
            }
            s.add(FloatVector.fromArray(SPECIES, db, dbOff + j)).intoArray(db, dbOff + j);
        }
        // The columns past the last full vector, each summed over the rows in order as the
        // vectors' lanes are, but several columns a pass in as many accumulators, so that their
        // sums do not wait for one another. Column by column, each sum was a chain of dependent
        // adds: W1's output layer (10 columns, 100 rows, 512 bits) took 1.1-1.5 us a call, now
        // 0.42-0.59 us, against 0.15-0.19 us for 16 columns (a throwaway loop, JDK 25, slow
        // stretch). The same adds in the same order as before: the same bits.
        for (; j + 8 <= out; j += 8) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int r = 0, o = dzOff + j; r < rows; r++, o += lddz) {
                s0 += dz[o];
                s1 += dz[o + 1];
                s2 += dz[o + 2];
                s3 += dz[o + 3];
                s4 += dz[o + 4];
                s5 += dz[o + 5];
                s6 += dz[o + 6];
                s7 += dz[o + 7];
            }
            int b = dbOff + j;
            db[b] += s0;
            db[b + 1] += s1;
            db[b + 2] += s2;
            db[b + 3] += s3;
            db[b + 4] += s4;
            db[b + 5] += s5;
            db[b + 6] += s6;
            db[b + 7] += s7;
        }
        for (; j + 2 <= out; j += 2) {
            float s0 = 0f, s1 = 0f;
            for (int r = 0, o = dzOff + j; r < rows; r++, o += lddz) {
                s0 += dz[o];
                s1 += dz[o + 1];
            }
            db[dbOff + j] += s0;
            db[dbOff + j + 1] += s1;
        }
        for (; j < out; j++) {
            float s0 = 0f;
            for (int r = 0, o = dzOff + j; r < rows; r++, o += lddz) {
                s0 += dz[o];
            }
            db[dbOff + j] += s0;
        }
    }

    @Override
    public void matVec(int in, int out, float[] w, int wOff, int ldw, float[] x, int xOff,
                       float[] b, int bOff, float[] y, int yOff) {
        int kEnd = SPECIES.loopBound(in);
        float[] lanes = SCRATCH.get().lanes;
        int j = 0;
        // Four rows of W at a time share each load of x.
        for (; j + 4 <= out; j += 4) {
            int w0 = wOff + j * ldw, w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0; k < kEnd; k += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + k);
                s0 = FloatVector.fromArray(SPECIES, w, w0 + k).fma(v, s0);
                s1 = FloatVector.fromArray(SPECIES, w, w1 + k).fma(v, s1);
                s2 = FloatVector.fromArray(SPECIES, w, w2 + k).fma(v, s2);
                s3 = FloatVector.fromArray(SPECIES, w, w3 + k).fma(v, s3);
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            float t0 = sumLanes(lanes, 0), t1 = sumLanes(lanes, L);
            s2.intoArray(lanes, 0);
            s3.intoArray(lanes, L);
            float t2 = sumLanes(lanes, 0), t3 = sumLanes(lanes, L);
            for (int k = kEnd; k < in; k++) {
                float v = x[xOff + k];
                t0 += w[w0 + k] * v;
                t1 += w[w1 + k] * v;
                t2 += w[w2 + k] * v;
                t3 += w[w3 + k] * v;
            }
            y[yOff + j] = t0 + b[bOff + j];
            y[yOff + j + 1] = t1 + b[bOff + j + 1];
            y[yOff + j + 2] = t2 + b[bOff + j + 2];
            y[yOff + j + 3] = t3 + b[bOff + j + 3];
        }
        for (; j < out; j++) {
            y[yOff + j] = dot(in, kEnd, w, wOff + j * ldw, x, xOff, lanes) + b[bOff + j];
        }
    }

    // exp without lanewise(EXP): C2 computes that with its own vector routines and the interpreter
    // with Math.exp, which may differ in the last bit, so a result would depend on when the kernel
    // was compiled. This one is built from IEEE operations that are exact in every tier (add, mul,
    // fma, div, bit moves): the same bits in the interpreter, C1 and C2, and in the scalar twin
    // that finishes a row, so training stays reproducible. Cephes' expf: e^x = 2^n * e^r with
    // n = round(x / ln 2) and |r| <= ln(2) / 2, e^r by a degree-7 polynomial; about 1 ulp.

    private static final float EXP_HI = 88.0f;
    private static final float EXP_LO = -87.0f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    /** e^v, clamped to [-87, 88] (where e^v is a normal float); {@link #sigmoidOrTanh}'s twin. */
    static float exp(float v) {
        float x = Math.min(Math.max(v, EXP_LO), EXP_HI);
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float poly = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        float y = poly * (r * r) + r + 1f;
        int bits = (Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23;
        return y * Float.intBitsToFloat(bits);
    }

    @Override
    public void sigmoid(float[] z, int zOff, float[] a, int aOff, int n) {
        // 1 / (1 + e^-z); saturates to 1/(1 + e^88) ~ 6e-39 and to exactly 1.
        sigmoidOrTanh(z, zOff, a, aOff, n, false);
    }

    @Override
    public void tanh(float[] z, int zOff, float[] a, int aOff, int n) {
        // 1 - 2 / (e^2z + 1): within 2 ulps of 1 everywhere, exactly +-1 where it saturates.
        sigmoidOrTanh(z, zOff, a, aOff, n, true);
    }

    /**
     * Both functions through e^x, in one method: a vector passed to or returned from a method
     * that C2 does not inline lives on the heap, and exp is too long to be inlined for sure (at
     * 128 bits it was not, and a training step allocated 200 KB).
     */
    private static void sigmoidOrTanh(float[] z, int zOff, float[] a, int aOff, int n, boolean tanh) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector mLn2Hi = FloatVector.broadcast(SPECIES, -LN2_HI), mLn2Lo = FloatVector.broadcast(SPECIES, -LN2_LO);
        FloatVector p2 = FloatVector.broadcast(SPECIES, P2), p3 = FloatVector.broadcast(SPECIES, P3);
        FloatVector p4 = FloatVector.broadcast(SPECIES, P4), p5 = FloatVector.broadcast(SPECIES, P5);
        FloatVector lo = FloatVector.broadcast(SPECIES, EXP_LO), hi = FloatVector.broadcast(SPECIES, EXP_HI);
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, z, zOff + i);
            v = tanh ? v.add(v) : v.neg();
            // e^v: n = round(v / ln 2), r = v - n ln 2, e^v = 2^n * e^r; the same steps as exp(float).
            // The clamp of exp(float), by compare and blend: the same values (NaN stays NaN), where
            // max and min, with Java's rules for NaN and -0.0, take several instructions each
            // (the function was 15-25% faster so, in a harness).
            FloatVector x = v.blend(lo, v.compare(VectorOperators.LT, lo)).blend(hi, v.compare(VectorOperators.GT, hi));
            FloatVector t = x.fma(LOG2E, ROUND);
            FloatVector m = t.sub(ROUND);
            FloatVector r = m.fma(mLn2Hi, x);
            r = m.fma(mLn2Lo, r);
            FloatVector poly = r.fma(P0, P1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
            FloatVector y = poly.mul(r.mul(r)).add(r).add(1f);
            IntVector bits = ((IntVector) t.reinterpretShape(INTS, 0)).sub(ROUND_BITS - 127)
                    .lanewise(VectorOperators.LSHL, 23);
            FloatVector e = y.mul((FloatVector) bits.reinterpretShape(SPECIES, 0));
            FloatVector out = tanh ? one.sub(one.add(one).div(e.add(1f))) : one.div(e.add(1f));
            out.intoArray(a, aOff + i);
        }
        for (; i < n; i++) {
            float zi = z[zOff + i];
            a[aOff + i] = tanh ? 1f - 2f / (exp(zi + zi) + 1f) : 1f / (exp(-zi) + 1f);
        }
    }

    @Override
    public void relu(float[] z, int zOff, float[] a, int aOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(SPECIES, z, zOff + i).max(0f).intoArray(a, aOff + i);
        }
        SCALAR.relu(z, zOff + i, a, aOff + i, n - i);
    }

    @Override
    public void sigmoidBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector av = FloatVector.fromArray(SPECIES, a, aOff + i);
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + i);
            gv.mul(av.mul(av.neg().add(1f))).intoArray(g, gOff + i);
        }
        SCALAR.sigmoidBackward(a, aOff + i, g, gOff + i, n - i);
    }

    @Override
    public void tanhBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector av = FloatVector.fromArray(SPECIES, a, aOff + i);
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + i);
            gv.mul(av.mul(av).neg().add(1f)).intoArray(g, gOff + i);
        }
        SCALAR.tanhBackward(a, aOff + i, g, gOff + i, n - i);
    }

    @Override
    public void reluBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            VectorMask<Float> active = FloatVector.fromArray(SPECIES, a, aOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(SPECIES, g, gOff + i), active).intoArray(g, gOff + i);
        }
        SCALAR.reluBackward(a, aOff + i, g, gOff + i, n - i);
    }

    @Override
    public void softmax(int rows, int n, float[] z, int zOff, float[] a, int aOff) {
        // Output rows are short (10 classes): under one vector, the plain loop is as fast.
        SCALAR.softmax(rows, n, z, zOff, a, aOff);
    }

    @Override
    public double quadraticCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                                float[] grad, int gradOff) {
        // The scalar kernel's gradient, a - y: a copy of a, with 1 taken off each row's label
        // (the same floats: a - 0f is a). Its cost, the sum of the terms 0.5 * d * d in double,
        // in four chains (element i of the block into chain i % 4) and then the chains in order:
        // one chain of double additions waited on their latency for 1,000 outputs. The sum may
        // differ from the scalar kernel's in its last bits.
        int total = rows * n;
        System.arraycopy(a, aOff, grad, gradOff, total);
        for (int r = 0; r < rows; r++) {
            int label = labels[labelOff + r];
            if (label >= 0 && label < n) { // else no output is the label's, as in the scalar kernel
                grad[gradOff + r * n + label] = a[aOff + r * n + label] - 1f;
            }
        }
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        int i = 0;
        for (; i + 3 < total; i += 4) {
            float d0 = grad[gradOff + i], d1 = grad[gradOff + i + 1];
            float d2 = grad[gradOff + i + 2], d3 = grad[gradOff + i + 3];
            c0 += 0.5 * d0 * d0;
            c1 += 0.5 * d1 * d1;
            c2 += 0.5 * d2 * d2;
            c3 += 0.5 * d3 * d3;
        }
        for (; i < total; i++) {
            float d = grad[gradOff + i];
            c0 += 0.5 * d * d;
        }
        return c0 + c1 + c2 + c3;
    }

    @Override
    public double crossEntropyCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                                   float[] grad, int gradOff) {
        return SCALAR.crossEntropyCost(rows, n, a, aOff, labels, labelOff, grad, gradOff);
    }

    @Override
    public void sgdStep(float[] params, float[] grads, float[] velocity, int off, int n,
                        float gradScale, float learningRate, float momentum, float weightDecay) {
        step(params, velocity, off, grads, off, n, gradScale, learningRate, momentum, weightDecay);
    }

    /** VELOCITY_FLOOR's bits (2^-100, exponent field 27 << 23), less one; see step. */
    private static final int BELOW_FLOOR = Float.floatToRawIntBits(Kernels.VELOCITY_FLOOR) - 1;

    /** sgdStep over {@code params[off .. off + n)} (and velocity's) with the gradient at {@code g[gOff ..]}. */
    private static void step(float[] params, float[] velocity, int off, float[] g, int gOff, int n,
                             float gradScale, float learningRate, float momentum, float weightDecay) {
        int i = 0;
        int end = SPECIES.loopBound(n);
        // Same operations, in the same order, as the scalar step (no FMA contraction), so that
        // both give the same parameters.
        if (momentum != 0f) {
            for (; i < end; i += L) {
                FloatVector p = FloatVector.fromArray(SPECIES, params, off + i);
                FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + i).mul(gradScale).add(p.mul(weightDecay));
                FloatVector v = FloatVector.fromArray(SPECIES, velocity, off + i).mul(momentum).add(gv);
                // Kernels.floorVelocity on every lane, in integer arithmetic on the bits (no mask or
                // blend: a masked blend allocated on JDK 17 at 256 bits; and written here, not in a
                // method of its own, which C2 did not always inline, boxing its vectors). A lane
                // is kept when its exponent field is at least VELOCITY_FLOOR's (|v| >= 2^-100, NaN
                // and infinity too): then BELOW_FLOOR - exponent < 0, and >> 31 makes all ones.
                // Reinterpreted through the species, not reinterpretAsInts(): see INTS.
                IntVector bits = (IntVector) v.reinterpretShape(INTS, 0);
                v = (FloatVector) bits.and(bits.and(0x7F800000).neg().add(BELOW_FLOOR)
                        .lanewise(VectorOperators.ASHR, 31)).reinterpretShape(SPECIES, 0);
                v.intoArray(velocity, off + i);
                p.sub(v.mul(learningRate)).intoArray(params, off + i);
            }
        } else {
            for (; i < end; i += L) {
                FloatVector p = FloatVector.fromArray(SPECIES, params, off + i);
                FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + i).mul(gradScale).add(p.mul(weightDecay));
                p.sub(gv.mul(learningRate)).intoArray(params, off + i);
            }
        }
        for (; i < n; i++) {
            float gi = gradScale * g[gOff + i] + weightDecay * params[off + i];
            if (momentum != 0f) {
                velocity[off + i] = Kernels.floorVelocity(momentum * velocity[off + i] + gi);
                gi = velocity[off + i];
            }
            params[off + i] -= learningRate * gi;
        }
    }

    // The paired layout (see Kernels): a first layer one vector wide. Each step of a tile's loop
    // (Tiles.pairForward, Tiles.pairWeight) loads two vectors of WP (or DZP) and broadcasts 64-bit
    // pairs of inputs, two FMAs each: 8 broadcasts and 2 loads for 16 FMAs, where the transposed
    // 16-row tile needs 16 broadcasts and a load. 16 accumulators: AVX-512's 32 registers only.

    @Override
    public int pairedWidth() {
        return MANY_REGISTERS ? L : 0;
    }

    /**
     * {@link Tiles#PAIR_STRIDE} for up to that many pairs: the {@code pairFixed} tiles then read
     * every row's pair at one index plus a constant, where {@code pairForward} keeps an index per
     * row and recomputes WP's with the registers it has left.
     */
    @Override
    public int pairedLeadingDimension(int pairs) {
        return pairedWidth() > 0 && pairs <= Tiles.PAIR_STRIDE ? Tiles.PAIR_STRIDE : pairs;
    }

    @Override
    public void unitFloatPairs(byte[] src, int srcOff, double[] dst, int dstOff, int n) {
        int i = 0;
        if (BYTES != null) {
            // As unitFloats; a vector of L floats is L / 2 pairs, the lower input in the lower half.
            for (int end = SPECIES.loopBound(n); i < end; i += L) {
                ((DoubleVector) unitVector(src, srcOff + i).reinterpretShape(DOUBLES, 0))
                        .intoArray(dst, dstOff + i / 2);
            }
        }
        for (; i < n; i += 2) {
            dst[dstOff + i / 2] = Kernels.pairOf((src[srcOff + i] & 0xFF) / 255f, (src[srcOff + i + 1] & 0xFF) / 255f);
        }
    }

    @Override
    public void floatPairs(float[] src, int srcOff, double[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            ((DoubleVector) FloatVector.fromArray(SPECIES, src, srcOff + i).reinterpretShape(DOUBLES, 0))
                    .intoArray(dst, dstOff + i / 2);
        }
        for (; i < n; i += 2) {
            dst[dstOff + i / 2] = Kernels.pairOf(src[srcOff + i], src[srcOff + i + 1]);
        }
    }

    /**
     * Blocks of L x L transposed in registers (Tiles.transpose16, 8 or 4: L rows loaded, rearranged
     * and blended, stored as L columns), the rows and columns past the last whole block by the plain
     * loop. Until session 14 each column was gathered, L rows at a time; a gather goes through
     * IntVector.species and the int vectors of its index map, and some runs compiled it with those
     * boxed: 3.8 GB allocated an epoch training 784-1024-1024-10 on one thread (JDK 17 and 25),
     * where a step allocates nothing.
     *
     * <p>A matrix of fewer than four blocks' elements goes by the plain loop alone: the lecture
     * network's 16 x 16 layer at 512 bits, 70 ns against 37 ns in blocks (a loop of calls, JDK 25),
     * some 20 us an epoch. For that, C2 never compiles Tiles.transpose16 in its training (57-79 ms
     * of C2's time in two logged runs of ten epochs on two threads, in the second and third epochs,
     * while the trainer kept each step on one thread for it).
     */
    @Override
    public void transpose(int rows, int cols, float[] src, int srcOff, int lds, float[] dst, int dstOff, int ldd) {
        // Blocks for 16, 8 and 4 lanes; on a wider CPU (none seen yet) the plain loop does it all,
        // and on a small matrix (see above).
        int rEnd = 0, cEnd = 0;
        if ((L == 16 || L == 8 || L == 4) && rows * cols >= 4 * L * L) {
            rEnd = rows - rows % L;
            cEnd = cols - cols % L;
            for (int r = 0; r < rEnd; r += L) {
                for (int c = 0; c < cEnd; c += L) {
                    int s = srcOff + r * lds + c, d = dstOff + c * ldd + r;
                    if (L == 16) {
                        Tiles.transpose16(src, s, lds, dst, d, ldd);
                    } else if (L == 8) {
                        Tiles.transpose8(src, s, lds, dst, d, ldd);
                    } else {
                        Tiles.transpose4(src, s, lds, dst, d, ldd);
                    }
                }
            }
        }
        if (cEnd < cols && rEnd > 0) {
            Kernels.super.transpose(rEnd, cols - cEnd, src, srcOff + cEnd, lds, dst, dstOff + cEnd * ldd, ldd);
        }
        if (rEnd < rows) {
            Kernels.super.transpose(rows - rEnd, cols, src, srcOff + rEnd * lds, lds, dst, dstOff + rEnd, ldd);
        }
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(SPECIES, y, yOff + i).add(FloatVector.fromArray(SPECIES, x, xOff + i))
                    .intoArray(y, yOff + i);
        }
        Kernels.super.add(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void floatsTwice(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, src, srcOff + i);
            v.rearrange(TWICE_LOW).intoArray(dst, dstOff + 2 * i);
            v.rearrange(TWICE_HIGH).intoArray(dst, dstOff + 2 * i + L);
        }
        Kernels.super.floatsTwice(src, srcOff + i, dst, dstOff + 2 * i, n - i);
    }

    /** Lanes 0, 0, 1, 1, ... and L/2, L/2, L/2 + 1, ...: each of a vector's lanes twice, in two vectors. */
    private static final VectorShuffle<Float> TWICE_LOW = VectorShuffle.fromOp(SPECIES, j -> j / 2);
    private static final VectorShuffle<Float> TWICE_HIGH = VectorShuffle.fromOp(SPECIES, j -> L / 2 + j / 2);

    /**
     * Whether pairedForward takes Tiles.pairFixed (its loop unrolled twice) for rows PAIR_STRIDE
     * apart: from JDK 25 on, where it was measured; elsewhere the rolled pairForward tiles, with
     * the same sums in the same order. In some runs JDK 17's C2 scheduled the unrolled loop's 16
     * broadcasts ahead of its FMAs, holding more vectors than the 32 registers, and kept
     * accumulators on the stack: 16 loads and stores from the stack among the loop's 32 FMAs
     * (-XX:CompileCommand=print, disassembled), none on JDK 25 nor in the rolled loop on JDK 17.
     * StepProfile, W1, one thread, JDK 17, seven pairs of runs alternating with the build before
     * and three more: pairedForward 24.6-29.8 us a step in 9 runs against 27.1-47.4 us in 8, 34.9
     * us or more in 4 of them. The same bits (a test compares the two tiles).
     */
    static final boolean FIXED_PAIR_TILES = Runtime.version().feature() >= 25;

    @Override
    public void pairedForward(int rows, int pairs, int out,
                              double[] x, int xOff, int ldx,
                              float[] wp, int wpOff,
                              float[] b, int bOff,
                              float[] z, int zOff, int ldz) {
        if (out != L || pairedWidth() == 0) {
            Kernels.super.pairedForward(rows, pairs, out, x, xOff, ldx, wp, wpOff, b, bOff, z, zOff, ldz);
            return;
        }
        float[] t = SCRATCH.get().tile;
        int r = 0;
        if (ldx == Tiles.PAIR_STRIDE && FIXED_PAIR_TILES) {
            for (; r + 8 <= rows; r += 8) {
                Tiles.pairFixed8(pairs, x, xOff + r * ldx, wp, wpOff, t);
                addPairs(8, t, b, bOff, z, zOff + r * ldz, ldz);
            }
            for (; r + 4 <= rows; r += 4) {
                Tiles.pairFixed4(pairs, x, xOff + r * ldx, wp, wpOff, t);
                addPairs(4, t, b, bOff, z, zOff + r * ldz, ldz);
            }
        }
        for (; r + 8 <= rows; r += 8) {
            Tiles.pairForward8(pairs, x, xOff + r * ldx, ldx, wp, wpOff, t);
            addPairs(8, t, b, bOff, z, zOff + r * ldz, ldz);
        }
        for (; r + 4 <= rows; r += 4) {
            Tiles.pairForward4(pairs, x, xOff + r * ldx, ldx, wp, wpOff, t);
            addPairs(4, t, b, bOff, z, zOff + r * ldz, ldz);
        }
        for (; r < rows; r++) {
            Tiles.pairForward1(pairs, x, xOff + r * ldx, ldx, wp, wpOff, t);
            addPairs(1, t, b, bOff, z, zOff + r * ldz, ldz);
        }
    }

    /**
     * Z's rows from a paired tile: each neuron's two lanes added (even lane plus odd, as the plain
     * loop of Kernels), then its bias. A row of the tile is 2L floats, neuron j's two lanes at 2j
     * and 2j + 1, so one gather of the even lanes and one of the odd give a row of Z. The forward
     * pass of a 100 x 400 block took 0.7-1.6 us more than its tiles alone, where with a plain loop
     * over the lanes it took 1.3-3.1 us more (harness, JDK 25, three runs each; JDK 17 -1.6-1.5
     * against 1.3-4.7).
     */
    private static void addPairs(int rows, float[] t, float[] b, int bOff, float[] z, int z0, int ldz) {
        // Two loops rather than a bias vector that may be null, which C2 would box (96 bytes a call).
        if (b == null) {
            for (int r = 0; r < rows; r++) {
                pairSums(t, 2 * L * r).intoArray(z, z0 + r * ldz);
            }
        } else {
            FloatVector bias = FloatVector.fromArray(SPECIES, b, bOff);
            for (int r = 0; r < rows; r++) {
                pairSums(t, 2 * L * r).add(bias).intoArray(z, z0 + r * ldz);
            }
        }
    }

    /**
     * Row {@code tr} of a paired tile, summed by neuron: its even lanes plus its odd lanes. The two
     * vectors of the row (neurons 0 .. L/2-1, then the rest) are each rearranged and blended, not
     * gathered: a gather (fromArray with an index map) goes through IntVector.species, which C2,
     * compiling early under the launcher's thresholds, sometimes judged too big to inline; then no
     * gather was intrinsified, and every row boxed its vectors (about 1 GB/s of garbage while
     * training the lecture network, JFR's allocation samples).
     */
    private static FloatVector pairSums(float[] t, int tr) {
        FloatVector lo = FloatVector.fromArray(SPECIES, t, tr);
        FloatVector hi = FloatVector.fromArray(SPECIES, t, tr + L);
        FloatVector even = lo.rearrange(EVEN_LANES).blend(hi.rearrange(EVEN_LANES), UPPER_HALF);
        FloatVector odd = lo.rearrange(ODD_LANES).blend(hi.rearrange(ODD_LANES), UPPER_HALF);
        return even.add(odd);
    }

    /** 0, 2, 4, ... and 1, 3, 5, ..., twice over: a vector's neurons, each one's even or odd lane. */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(SPECIES, j -> 2 * j % L);
    private static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(SPECIES, j -> (2 * j + 1) % L);
    /** Lanes L/2 .. L-1. */
    private static final VectorMask<Float> UPPER_HALF = SPECIES.indexInRange(-L / 2, L / 2);

    @Override
    public void pairedWeightGradient(int rows, int pairs, int out,
                                     double[] x, int xOff, int ldx,
                                     float[] dzp, int dzOff,
                                     float[] dwp, int dwpOff) {
        if (out != L || pairedWidth() == 0) {
            Kernels.super.pairedWeightGradient(rows, pairs, out, x, xOff, ldx, dzp, dzOff, dwp, dwpOff);
            return;
        }
        pairedProduct(rows, pairs, x, xOff, ldx, dzp, dzOff, dwp, dwpOff, null, 0f, 0f, 0f, 0f, false);
    }

    @Override
    public void pairedWeightStep(int rows, int pairs, int out,
                                 double[] x, int xOff, int ldx,
                                 float[] dzp, int dzOff,
                                 float[] wp, int wpOff, float[] velocity,
                                 float gradScale, float learningRate, float momentum, float weightDecay) {
        if (out != L || pairedWidth() == 0) {
            Kernels.super.pairedWeightStep(rows, pairs, out, x, xOff, ldx, dzp, dzOff, wp, wpOff, velocity,
                    gradScale, learningRate, momentum, weightDecay);
            return;
        }
        pairedProduct(rows, pairs, x, xOff, ldx, dzp, dzOff, wp, wpOff, velocity, gradScale, learningRate, momentum,
                weightDecay, true);
    }

    /** The paired weight gradient, 8 pairs of inputs a tile, written out or taken as a step. */
    private static void pairedProduct(int rows, int pairs, double[] x, int xOff, int ldx, float[] dzp, int dzOff,
                                      float[] w, int wOff, float[] velocity, float gradScale, float lr,
                                      float momentum, float weightDecay, boolean step) {
        float[] t = SCRATCH.get().tile;
        for (int p = 0; p < pairs; ) {
            int n = pairs - p >= 8 ? 8 : 1;
            if (n == 8) {
                Tiles.pairWeight8(rows, x, xOff + p, ldx, dzp, dzOff, t);
            } else {
                Tiles.pairWeight1(rows, x, xOff + p, ldx, dzp, dzOff, t);
            }
            int at = wOff + 2 * L * p;
            if (step) {
                step(w, velocity, at, t, 0, 2 * L * n, gradScale, lr, momentum, weightDecay);
            } else {
                System.arraycopy(t, 0, w, at, 2 * L * n);
            }
            p += n;
        }
    }

    /** 1/255 as the sum of two floats, hi the nearest float to it and lo the rest. */
    private static final float INV_255_HI = 1f / 255f;
    private static final float INV_255_LO = (float) (1.0 / 255.0 - INV_255_HI);
    /** 2^23, and its bits: 2^23 + i for i below 2^23 is the float with bits TWO_23_BITS | i. */
    private static final float TWO_23 = 0x1p23f;
    private static final int TWO_23_BITS = 0x4B000000;

    /** As many bytes as SPECIES has lanes (null below 8 lanes: the smallest vector is 64 bits). */
    private static final VectorSpecies<Byte> BYTES =
            L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    /**
     * Ints of SPECIES's size. The momentum step ({@link #step}) reinterprets float lanes as ints
     * and back through it, {@code reinterpretShape(INTS, 0)} and {@code reinterpretShape(SPECIES,
     * 0)}: the result's class is then the constant species's, and C2 knows it without a profile.
     * Through {@code reinterpretAsInts()} C2 had to learn the int vector's class from the call
     * sites' type profiles, and on JDK 17 some runs compiled the step without (C2's log: the int
     * vector's {@code and}, {@code lanewise} and {@code broadcast} left as virtual calls, on boxed
     * vectors). W3 (784-800-10, momentum), JDK 17, one thread, runs alternating: epochs of 2.7-2.8
     * s in 3 of 6 runs, 1.6-1.7 s in the others, against 1.6-1.8 s in all 6 after (and none of 14
     * at 2.5 s or more in all); two threads, 1.38-1.49 s in 2 of 4 runs against none of 4. The
     * same bits; JDK 25 as fast as before. Sigmoid's exponent and the pairs of floats
     * ({@link #unitFloatPairs}, {@link #floatPairs}, through {@link #DOUBLES}) reinterpret so too:
     * on JDK 17 a run of the lecture network's bench boxed the pairs made through
     * reinterpretAsDoubles() in a C2-compiled trainer method, every step of the run (JFR's
     * allocation samples; session 14). Not the paired tiles' broadcasts (Tiles): there the same
     * change made JDK 17's pairedForward box every vector under JMH (771 KB a call, 22 GFLOP/s
     * against 88-106), so they keep reinterpretAsFloats().
     */
    private static final VectorSpecies<Integer> INTS =
            VectorSpecies.of(int.class, VectorShape.forBitSize(SPECIES.vectorBitSize()));
    /** Doubles of SPECIES's size: pairs of floats, one per lane (see INTS). */
    private static final VectorSpecies<Double> DOUBLES =
            VectorSpecies.of(double.class, VectorShape.forBitSize(SPECIES.vectorBitSize()));

    /**
     * Bytes to ints without their sign (VectorOperators.ZERO_EXTEND_B2I), where it works: one
     * instruction fewer a vector than sign-extending and masking. Converting the lecture network's
     * minibatch to pairs took 10.1-10.3 us with it against 12.6-13.1 without (harness, JDK 25).
     * JDK 17 has the operator, but its Java fallback, which runs until C2 compiles the caller,
     * throws IllegalArgumentException; so it is taken from JDK 21 on, and only if it converts
     * every byte value right here. Null otherwise.
     */
    private static final VectorOperators.Conversion<Byte, Integer> ZERO_EXTEND = zeroExtend();

    @SuppressWarnings("unchecked")
    private static VectorOperators.Conversion<Byte, Integer> zeroExtend() {
        if (Runtime.version().feature() < 21 || BYTES == null) {
            return null;
        }
        try {
            VectorOperators.Conversion<Byte, Integer> zx = (VectorOperators.Conversion<Byte, Integer>)
                    VectorOperators.class.getField("ZERO_EXTEND_B2I").get(null);
            byte[] all = new byte[256];
            int[] ints = new int[L];
            for (int i = 0; i < all.length; i++) {
                all[i] = (byte) i;
            }
            for (int i = 0; i + L <= all.length; i += L) {
                ((IntVector) ByteVector.fromArray(BYTES, all, i).convertShape(zx, INTS, 0)).intoArray(ints, 0);
                for (int j = 0; j < L; j++) {
                    if (ints[j] != i + j) {
                        return null;
                    }
                }
            }
            return zx;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * L bytes from {@code src[off]} as floats in [0, 1]. Widened to ints (zero-extending, or
     * sign-extending and keeping the low 8 bits), converted, and divided by 255: not with vdivps
     * (a long-latency instruction, though in a harness the time went mostly to fetching the rows),
     * and not by multiplying by 1/255f, which is off by an ulp on 126 of the 256 values.
     * x * hi + x * lo, with hi + lo = 1/255 to twice a float's precision and one rounding at the
     * end, has the bits of x / 255f for every x from 0 to 255 (checked for all of them, in the
     * tests).
     *
     * <p>Before JDK 21 the ints become floats through 2^23 and the constant species, not {@code
     * convert(I2F, 0)}. With convert, JDK 17 compiled the conversion with its vectors on the heap
     * in some runs: 1.32 GB allocated in every epoch of a 784-128-10 or 784-1024-1024-10 run (the
     * same figure: every byte of the epoch's images converted so), and the 784-128-10 epochs on two
     * threads 0.24-0.26 s against 0.17-0.18. JFR's allocation samples, recorded from the run's
     * start, put it in unitFloats' compiled code, and -XX:+PrintIntrinsics showed its fma not
     * intrinsified ("unbox failed"). 784-128-10, two threads, four epochs, JDK 17, runs alternating
     * with the build before: 0 of 30 such runs against 5 of 30 (session 15). The same bits; the
     * step's time the same within 1% (AbTrainSteps).
     */
    private static FloatVector unitVector(byte[] src, int off) {
        ByteVector bytes = ByteVector.fromArray(BYTES, src, off);
        FloatVector x;
        if (ZERO_EXTEND != null) {
            x = (FloatVector) bytes.convertShape(ZERO_EXTEND, INTS, 0).convert(VectorOperators.I2F, 0);
        } else {
            // Before JDK 21: the byte as an int v, then (float) v exactly, as the float whose bits
            // are 2^23's with v in the low ones, minus 2^23. Through the constant species: JDK 17's
            // C2 sometimes compiled convert(I2F, 0), whose species comes from a lookup, without
            // knowing the result's class, and then the fma below ran on vectors on the heap.
            IntVector v = ((IntVector) bytes.convertShape(VectorOperators.B2I, INTS, 0)).and(0xFF);
            x = ((FloatVector) v.or(TWO_23_BITS).reinterpretShape(SPECIES, 0)).sub(TWO_23);
        }
        return x.fma(FloatVector.broadcast(SPECIES, INV_255_HI), x.mul(INV_255_LO));
    }

    @Override
    public void unitFloats(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        if (BYTES != null) {
            for (int end = SPECIES.loopBound(n); i < end; i += L) {
                unitVector(src, srcOff + i).intoArray(dst, dstOff + i);
            }
        }
        for (; i < n; i++) {
            dst[dstOff + i] = (src[srcOff + i] & 0xFF) / 255f;
        }
    }
}
