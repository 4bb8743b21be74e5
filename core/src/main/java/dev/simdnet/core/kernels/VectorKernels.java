package dev.simdnet.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
 * tile needs more FMAs than loads, and few enough accumulators that nothing spills.
 */
final class VectorKernels implements Kernels {

    /** The widest species the CPU runs natively (256 bits, 8 floats, on AVX2). */
    static final int PREFERRED_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    private static final int L = SPECIES.length();
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);

    /**
     * Rows of W swept per block of the forward pass: 64 rows of a 784-input layer are 200 KB, which
     * stays in L2 while every 4-row tile of the minibatch passes over it.
     */
    private static final int FORWARD_ROW_BLOCK = 64;

    private static final ScalarKernels SCALAR = new ScalarKernels();

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
        // Both A and W hold a row's inputs contiguously, so Z[r][j] is a dot product along `in`:
        // no packing is needed. A 4x2 tile (4 rows of A, 2 rows of W) keeps 8 accumulators and
        // shares each loaded vector among 2 or 4 FMAs: 6 loads for 8 FMAs, 11 registers.
        int kEnd = SPECIES.loopBound(in);
        for (int j0 = 0; j0 < out; j0 += FORWARD_ROW_BLOCK) {
            int j1 = Math.min(out, j0 + FORWARD_ROW_BLOCK);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                int ar = aOff + r * lda;
                int zr = zOff + r * ldz;
                int j = j0;
                for (; j + 2 <= j1; j += 2) {
                    forward4x2(in, kEnd, a, ar, lda, w, wOff + j * ldw, ldw, b, bOff + j, z, zr + j, ldz);
                }
                for (; j < j1; j++) {
                    forward4x1(in, kEnd, a, ar, lda, w, wOff + j * ldw, b[bOff + j], z, zr + j, ldz);
                }
            }
            for (; r < rows; r++) {
                int ar = aOff + r * lda;
                for (int j = j0; j < j1; j++) {
                    z[zOff + r * ldz + j] = dot(in, kEnd, a, ar, w, wOff + j * ldw) + b[bOff + j];
                }
            }
        }
    }

    private static void forward4x2(int in, int kEnd, float[] a, int a0, int lda, float[] w, int w0, int ldw,
                                   float[] b, int bj, float[] z, int z0, int ldz) {
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
        float t00 = s00.reduceLanes(VectorOperators.ADD), t01 = s01.reduceLanes(VectorOperators.ADD);
        float t10 = s10.reduceLanes(VectorOperators.ADD), t11 = s11.reduceLanes(VectorOperators.ADD);
        float t20 = s20.reduceLanes(VectorOperators.ADD), t21 = s21.reduceLanes(VectorOperators.ADD);
        float t30 = s30.reduceLanes(VectorOperators.ADD), t31 = s31.reduceLanes(VectorOperators.ADD);
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

    private static void forward4x1(int in, int kEnd, float[] a, int a0, int lda, float[] w, int w0,
                                   float bias, float[] z, int z0, int ldz) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < kEnd; k += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, w, w0 + k);
            s0 = FloatVector.fromArray(SPECIES, a, a0 + k).fma(v, s0);
            s1 = FloatVector.fromArray(SPECIES, a, a1 + k).fma(v, s1);
            s2 = FloatVector.fromArray(SPECIES, a, a2 + k).fma(v, s2);
            s3 = FloatVector.fromArray(SPECIES, a, a3 + k).fma(v, s3);
        }
        float t0 = s0.reduceLanes(VectorOperators.ADD), t1 = s1.reduceLanes(VectorOperators.ADD);
        float t2 = s2.reduceLanes(VectorOperators.ADD), t3 = s3.reduceLanes(VectorOperators.ADD);
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
    private static float dot(int n, int kEnd, float[] x, int xOff, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        int k = 0;
        for (; k + L < kEnd; k += 2 * L) {
            s0 = FloatVector.fromArray(SPECIES, x, xOff + k).fma(FloatVector.fromArray(SPECIES, y, yOff + k), s0);
            s1 = FloatVector.fromArray(SPECIES, x, xOff + k + L).fma(FloatVector.fromArray(SPECIES, y, yOff + k + L), s1);
        }
        for (; k < kEnd; k += L) {
            s0 = FloatVector.fromArray(SPECIES, x, xOff + k).fma(FloatVector.fromArray(SPECIES, y, yOff + k), s0);
        }
        float t = s0.add(s1).reduceLanes(VectorOperators.ADD);
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
        // dW[j][k] += sum_r dZ[r][j] * A[r][k]: the element of dZ is broadcast (stride lddz along r,
        // 1 along j) and rows of A are loaded as vectors.
        broadcastProduct(out, in, rows, dz, dzOff, 1, lddz, a, aOff, lda, dw, dwOff, lddw, true);
    }

    @Override
    public void inputGradient(int rows, int in, int out,
                              float[] dz, int dzOff, int lddz,
                              float[] w, int wOff, int ldw,
                              float[] da, int daOff, int ldda) {
        // dA[r][k] = sum_j dZ[r][j] * W[j][k]: the element of dZ is broadcast (stride lddz along r,
        // 1 along j) and rows of W are loaded as vectors.
        broadcastProduct(rows, in, out, dz, dzOff, lddz, 1, w, wOff, ldw, da, daOff, ldda, false);
    }

    /**
     * {@code C[i][k] (+)= sum over t of P(i, t) * Q[t][k]} for i < m, k < n, t < depth, where
     * {@code P(i, t) = p[pOff + i * pi + t * pt]} is read one element at a time and broadcast, and
     * the rows of Q are read as vectors. The outer products of the lecture's weight gradient and the
     * input gradient both have this shape.
     *
     * <p>A 4x2 register tile (4 values of i, 2 vectors of k: 4x16 floats on AVX2) keeps 8
     * accumulators while the loop runs over t: 2 vector loads and 4 broadcasts feed 8 FMAs. 4x3 and
     * 6x2 need 15-16 registers and spill on some JDKs. Blocks of 2 vectors of k stay in L1 across all
     * tiles of i, so Q's columns are read from memory once.
     */
    private static void broadcastProduct(int m, int n, int depth,
                                         float[] p, int pOff, int pi, int pt,
                                         float[] q, int qOff, int ldq,
                                         float[] c, int cOff, int ldc, boolean accumulate) {
        int k = 0;
        for (; k + 2 * L <= n; k += 2 * L) {
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                tile4x2(depth, p, pOff + i * pi, pi, pt, q, qOff + k, ldq, c, cOff + i * ldc + k, ldc, accumulate);
            }
            for (; i < m; i++) {
                tile1x1(depth, p, pOff + i * pi, pt, q, qOff + k, ldq, c, cOff + i * ldc + k, accumulate);
                tile1x1(depth, p, pOff + i * pi, pt, q, qOff + k + L, ldq, c, cOff + i * ldc + k + L, accumulate);
            }
        }
        for (; k + L <= n; k += L) {
            for (int i = 0; i < m; i++) {
                tile1x1(depth, p, pOff + i * pi, pt, q, qOff + k, ldq, c, cOff + i * ldc + k, accumulate);
            }
        }
        for (; k < n; k++) {
            for (int i = 0; i < m; i++) {
                float sum = 0f;
                for (int t = 0; t < depth; t++) {
                    sum += p[pOff + i * pi + t * pt] * q[qOff + t * ldq + k];
                }
                int ci = cOff + i * ldc + k;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    private static void tile4x2(int depth, float[] p, int p0, int pi, int pt,
                                float[] q, int q0, int ldq, float[] c, int c0, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int p1 = p0 + pi, p2 = p1 + pi, p3 = p2 + pi;
        for (int t = 0; t < depth; t++) {
            int qt = q0 + t * ldq;
            int tp = t * pt;
            FloatVector x0 = FloatVector.fromArray(SPECIES, q, qt);
            FloatVector x1 = FloatVector.fromArray(SPECIES, q, qt + L);
            FloatVector d = FloatVector.broadcast(SPECIES, p[p0 + tp]);
            c00 = d.fma(x0, c00);
            c01 = d.fma(x1, c01);
            d = FloatVector.broadcast(SPECIES, p[p1 + tp]);
            c10 = d.fma(x0, c10);
            c11 = d.fma(x1, c11);
            d = FloatVector.broadcast(SPECIES, p[p2 + tp]);
            c20 = d.fma(x0, c20);
            c21 = d.fma(x1, c21);
            d = FloatVector.broadcast(SPECIES, p[p3 + tp]);
            c30 = d.fma(x0, c30);
            c31 = d.fma(x1, c31);
        }
        store(c00, c, c0, accumulate);
        store(c01, c, c0 + L, accumulate);
        store(c10, c, c0 + ldc, accumulate);
        store(c11, c, c0 + ldc + L, accumulate);
        store(c20, c, c0 + 2 * ldc, accumulate);
        store(c21, c, c0 + 2 * ldc + L, accumulate);
        store(c30, c, c0 + 3 * ldc, accumulate);
        store(c31, c, c0 + 3 * ldc + L, accumulate);
    }

    private static void tile1x1(int depth, float[] p, int p0, int pt,
                                float[] q, int q0, int ldq, float[] c, int c0, boolean accumulate) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int t = 0; t < depth; t++) {
            acc = FloatVector.broadcast(SPECIES, p[p0 + t * pt]).fma(FloatVector.fromArray(SPECIES, q, q0 + t * ldq), acc);
        }
        store(acc, c, c0, accumulate);
    }

    private static void store(FloatVector v, float[] c, int ci, boolean accumulate) {
        if (accumulate) {
            v = v.add(FloatVector.fromArray(SPECIES, c, ci));
        }
        v.intoArray(c, ci);
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
        for (; j < out; j++) {
            float s = 0f;
            for (int r = 0; r < rows; r++) {
                s += dz[dzOff + r * lddz + j];
            }
            db[dbOff + j] += s;
        }
    }

    @Override
    public void matVec(int in, int out, float[] w, int wOff, int ldw, float[] x, int xOff,
                       float[] b, int bOff, float[] y, int yOff) {
        int kEnd = SPECIES.loopBound(in);
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
            float t0 = s0.reduceLanes(VectorOperators.ADD), t1 = s1.reduceLanes(VectorOperators.ADD);
            float t2 = s2.reduceLanes(VectorOperators.ADD), t3 = s3.reduceLanes(VectorOperators.ADD);
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
            y[yOff + j] = dot(in, kEnd, w, wOff + j * ldw, x, xOff) + b[bOff + j];
        }
    }

    @Override
    public void sigmoid(float[] z, int zOff, float[] a, int aOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector e = FloatVector.fromArray(SPECIES, z, zOff + i).neg().lanewise(VectorOperators.EXP);
            ONE.div(e.add(1f)).intoArray(a, aOff + i);
        }
        SCALAR.sigmoid(z, zOff + i, a, aOff + i, n - i);
    }

    @Override
    public void tanh(float[] z, int zOff, float[] a, int aOff, int n) {
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(SPECIES, z, zOff + i).lanewise(VectorOperators.TANH).intoArray(a, aOff + i);
        }
        SCALAR.tanh(z, zOff + i, a, aOff + i, n - i);
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
        return SCALAR.quadraticCost(rows, n, a, aOff, labels, labelOff, grad, gradOff);
    }

    @Override
    public double crossEntropyCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                                   float[] grad, int gradOff) {
        return SCALAR.crossEntropyCost(rows, n, a, aOff, labels, labelOff, grad, gradOff);
    }

    @Override
    public void sgdStep(float[] params, float[] grads, int n, float scale) {
        int i = 0;
        FloatVector negScale = FloatVector.broadcast(SPECIES, -scale);
        for (int end = SPECIES.loopBound(n); i < end; i += L) {
            FloatVector p = FloatVector.fromArray(SPECIES, params, i);
            FloatVector.fromArray(SPECIES, grads, i).fma(negScale, p).intoArray(params, i);
        }
        for (; i < n; i++) {
            params[i] -= scale * grads[i];
        }
    }
}
