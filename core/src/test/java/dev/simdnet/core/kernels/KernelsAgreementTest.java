package dev.simdnet.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every vector kernel against its scalar twin, on awkward shapes: sizes that are not multiples of
 * the vector length in every dimension, tiles with leftover rows and columns, nonzero offsets and
 * leading dimensions wider than the rows. Surefire runs this class once per vector width the
 * kernels support (see core/pom.xml), since the width is fixed per JVM.
 *
 * <p>Reductions are compared with the classic bound for a float sum of n products: each result may
 * be off by at most about {@code n * eps * sum |terms|}, computed by running the scalar kernel on
 * the absolute values, so the tolerance grows with the reduction length.
 */
class KernelsAgreementTest {

    private static final int[] AWKWARD = {1, 7, 9, 13, 17};
    private static final int[] LONG = {16, 207, 259, 784, 800, 1000};
    private static final float EPS = Math.ulp(1f);

    private static Kernels scalar;
    private static Kernels vector;

    @BeforeAll
    static void setUp() {
        scalar = KernelProvider.scalar();
        vector = KernelProvider.vector().orElse(null);
        assumeTrue(vector != null, "vector kernels unavailable here: " + KernelProvider.reason());
        System.out.println("comparing " + vector.name() + " with " + scalar.name());
    }

    /** (rows, in, out) triples: every awkward combination, then long dimensions one at a time. */
    private static List<int[]> shapes() {
        List<int[]> shapes = new ArrayList<>();
        for (int r : AWKWARD) {
            for (int i : AWKWARD) {
                for (int o : AWKWARD) {
                    shapes.add(new int[] {r, i, o});
                }
            }
        }
        for (int len : LONG) {
            shapes.add(new int[] {7, len, 9});
            shapes.add(new int[] {13, 9, len});
            shapes.add(new int[] {len > 300 ? 101 : len, 13, 7});
        }
        // The minibatch-100 shapes of real networks.
        int[][] real = {{100, 784, 16}, {100, 16, 16}, {100, 16, 10}, {100, 784, 128}, {100, 128, 10},
                {100, 784, 800}, {100, 800, 10}, {37, 1000, 1000}};
        for (int[] s : real) {
            shapes.add(s);
        }
        return shapes;
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }

    private static void assertClose(String what, float[] expected, float[] actual, float[] magnitude, int depth) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            // Two float sums of `depth` terms, each within depth*eps*sum|terms| of the exact value.
            double tol = 2.0 * (depth + 2) * EPS * magnitude[i] + 1e-30;
            double err = Math.abs(expected[i] - actual[i]);
            if (!(err <= tol)) {
                throw new AssertionError(what + ": element " + i + " scalar " + expected[i] + " vector "
                        + actual[i] + " differ by " + err + " > tolerance " + tol);
            }
        }
    }

    @Test
    void forwardMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            // Offsets and leading dimensions wider than the data exercise the index arithmetic.
            int aOff = 3, lda = in + 5, wOff = 2, ldw = in + 1, bOff = 1, zOff = 4, ldz = out + 3;
            float[] a = random(rng, aOff + rows * lda);
            float[] w = random(rng, wOff + out * ldw);
            float[] b = random(rng, bOff + out);
            float[] zs = random(rng, zOff + rows * ldz);
            float[] zv = zs.clone();
            float[] mag = new float[zs.length];
            scalar.forward(rows, in, out, a, aOff, lda, w, wOff, ldw, b, bOff, zs, zOff, ldz);
            vector.forward(rows, in, out, a, aOff, lda, w, wOff, ldw, b, bOff, zv, zOff, ldz);
            scalar.forward(rows, in, out, abs(a), aOff, lda, abs(w), wOff, ldw, abs(b), bOff, mag, zOff, ldz);
            assertClose("forward " + rows + "x" + in + "->" + out, zs, zv, mag, in);
        }
    }

    @Test
    void weightGradientMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            int dzOff = 1, lddz = out + 2, aOff = 5, lda = in + 3, dwOff = 2, lddw = in + 7;
            float[] dz = random(rng, dzOff + rows * lddz);
            float[] a = random(rng, aOff + rows * lda);
            float[] dws = random(rng, dwOff + out * lddw);
            float[] dwv = dws.clone();
            float[] mag = abs(dws);
            scalar.accumulateWeightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dws, dwOff, lddw);
            vector.accumulateWeightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dwv, dwOff, lddw);
            scalar.accumulateWeightGradient(rows, in, out, abs(dz), dzOff, lddz, abs(a), aOff, lda, mag, dwOff, lddw);
            assertClose("weight gradient " + rows + "x" + in + "->" + out, dws, dwv, mag, rows);
        }
    }

    @Test
    void overwritingWeightGradientMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            int dzOff = 2, lddz = out + 1, aOff = 1, lda = in + 2, dwOff = 3, lddw = in + 5;
            float[] dz = random(rng, dzOff + rows * lddz);
            float[] a = random(rng, aOff + rows * lda);
            // Garbage in dW: it must be overwritten inside the block and left alone outside.
            float[] dws = random(rng, dwOff + out * lddw);
            float[] dwv = dws.clone();
            float[] mag = new float[dws.length];
            scalar.weightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dws, dwOff, lddw);
            vector.weightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dwv, dwOff, lddw);
            scalar.weightGradient(rows, in, out, abs(dz), dzOff, lddz, abs(a), aOff, lda, mag, dwOff, lddw);
            assertClose("weight gradient (overwrite) " + rows + "x" + in + "->" + out, dws, dwv, mag, rows);
        }
    }

    @Test
    void biasGradientMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int[] s : shapes()) {
            int rows = s[0], out = s[2];
            int dzOff = 2, lddz = out + 1, dbOff = 3;
            float[] dz = random(rng, dzOff + rows * lddz);
            float[] dbs = random(rng, dbOff + out);
            float[] dbv = dbs.clone();
            float[] mag = abs(dbs);
            scalar.accumulateBiasGradient(rows, out, dz, dzOff, lddz, dbs, dbOff);
            vector.accumulateBiasGradient(rows, out, dz, dzOff, lddz, dbv, dbOff);
            scalar.accumulateBiasGradient(rows, out, abs(dz), dzOff, lddz, mag, dbOff);
            assertClose("bias gradient " + rows + "->" + out, dbs, dbv, mag, rows);
        }
    }

    @Test
    void biasGradientIsTheScalarSumBitForBit() {
        // Each column summed over the rows in order from 0, then added to db, in the vector lanes
        // and in the columns past the last full vector alike: the scalar kernel's order. Every
        // width up to three vectors and a bit, so that every kind of tail is taken.
        SplittableRandom rng = new SplittableRandom(33);
        for (int rows : new int[] {1, 7, 100}) {
            for (int out = 1; out <= 3 * 16 + 5; out++) {
                int dzOff = 5, lddz = out + 3, dbOff = 2;
                float[] dz = random(rng, dzOff + rows * lddz);
                float[] dbs = random(rng, dbOff + out + 4);
                float[] dbv = dbs.clone();
                scalar.accumulateBiasGradient(rows, out, dz, dzOff, lddz, dbs, dbOff);
                vector.accumulateBiasGradient(rows, out, dz, dzOff, lddz, dbv, dbOff);
                assertArrayEquals(dbs, dbv, "bias gradient " + rows + "x" + out);
            }
        }
    }

    @Test
    void inputGradientMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            int dzOff = 3, lddz = out + 4, wOff = 1, ldw = in + 2, daOff = 6, ldda = in + 9;
            float[] dz = random(rng, dzOff + rows * lddz);
            float[] w = random(rng, wOff + out * ldw);
            float[] das = random(rng, daOff + rows * ldda);
            float[] dav = das.clone();
            float[] mag = new float[das.length];
            scalar.inputGradient(rows, in, out, dz, dzOff, lddz, w, wOff, ldw, das, daOff, ldda);
            vector.inputGradient(rows, in, out, dz, dzOff, lddz, w, wOff, ldw, dav, daOff, ldda);
            scalar.inputGradient(rows, in, out, abs(dz), dzOff, lddz, abs(w), wOff, ldw, mag, daOff, ldda);
            // Elements outside the (rows, in) block must be left alone: their magnitude is 0 there,
            // so any change to them fails the comparison.
            assertClose("input gradient " + rows + "x" + in + "<-" + out, das, dav, mag, out);
        }
    }

    @Test
    void matVecMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int[] s : shapes()) {
            int in = s[1], out = s[2];
            int wOff = 3, ldw = in + 3, xOff = 2, bOff = 1, yOff = 5;
            float[] w = random(rng, wOff + out * ldw);
            float[] x = random(rng, xOff + in);
            float[] b = random(rng, bOff + out);
            float[] ys = random(rng, yOff + out + 2);
            float[] yv = ys.clone();
            float[] mag = new float[ys.length];
            scalar.matVec(in, out, w, wOff, ldw, x, xOff, b, bOff, ys, yOff);
            vector.matVec(in, out, w, wOff, ldw, x, xOff, b, bOff, yv, yOff);
            scalar.matVec(in, out, abs(w), wOff, ldw, abs(x), xOff, abs(b), bOff, mag, yOff);
            assertClose("matVec " + in + "->" + out, ys, yv, mag, in);
        }
    }

    @Test
    void elementwiseMatchScalar() {
        SplittableRandom rng = new SplittableRandom(6);
        int[] lengths = {1, 7, 8, 9, 13, 16, 207, 259, 784, 1000, 4098};
        for (int n : lengths) {
            float[] z = random(rng, n + 3);
            for (int i = 0; i < z.length; i++) {
                z[i] *= 12; // beyond the saturating range of sigmoid and tanh
            }
            z[0] = -100f; // exp overflow: sigmoid must still give 0, not NaN
            float[] g = random(rng, n + 5);
            checkUnary("sigmoid " + n, n, z, (k, src, dst) -> k.sigmoid(src, 2, dst, 1, n), 4e-7);
            checkUnary("tanh " + n, n, z, (k, src, dst) -> k.tanh(src, 2, dst, 1, n), 4e-7);
            checkUnary("relu " + n, n, z, (k, src, dst) -> k.relu(src, 2, dst, 1, n), 0);
            float[] a = new float[n + 3];
            scalar.sigmoid(z, 0, a, 0, n + 3);
            checkUnary("sigmoidBackward " + n, n, a, (k, src, dst) -> {
                System.arraycopy(g, 0, dst, 0, Math.min(g.length, dst.length));
                k.sigmoidBackward(src, 1, dst, 2, n);
            }, 2e-7);
            float[] t = new float[n + 3];
            scalar.tanh(z, 0, t, 0, n + 3);
            checkUnary("tanhBackward " + n, n, t, (k, src, dst) -> {
                System.arraycopy(g, 0, dst, 0, Math.min(g.length, dst.length));
                k.tanhBackward(src, 1, dst, 2, n);
            }, 2e-7);
            checkUnary("reluBackward " + n, n, z, (k, src, dst) -> {
                System.arraycopy(g, 0, dst, 0, Math.min(g.length, dst.length));
                k.reluBackward(src, 1, dst, 2, n);
            }, 0);
        }
    }

    @Test
    void sigmoidAndTanhGiveTheSameBitsInVectorsAndInTheScalarTail() {
        // The same values, shifted by one position each time, land in vector lanes or in the
        // scalar tail: every result must be bit for bit the same, so that no value depends on
        // where it sits in a row (nor on the JIT tier: the operations are exact IEEE ones).
        SplittableRandom rng = new SplittableRandom(31);
        int n = 3 * 16 + 5;
        float[] z = random(rng, n + 16);
        for (int i = 0; i < z.length; i++) {
            z[i] *= 20;
        }
        float[] sig0 = new float[n], tanh0 = new float[n];
        vector.sigmoid(z, 0, sig0, 0, n);
        vector.tanh(z, 0, tanh0, 0, n);
        for (int shift = 1; shift < 16; shift++) {
            float[] sig = new float[n], th = new float[n];
            // Elements [shift, n) computed as a row of their own, starting at a new position.
            vector.sigmoid(z, shift, sig, 0, n - shift);
            vector.tanh(z, shift, th, 0, n - shift);
            for (int i = shift; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(sig0[i]), Float.floatToRawIntBits(sig[i - shift]),
                        "sigmoid(" + z[i] + ") at shift " + shift);
                assertEquals(Float.floatToRawIntBits(tanh0[i]), Float.floatToRawIntBits(th[i - shift]),
                        "tanh(" + z[i] + ") at shift " + shift);
            }
        }
    }

    @Test
    void theKernelsExpIsWithinTwoUlpsOfMathExp() {
        for (float x = -87f; x <= 88f; x += 0.0137f) {
            double expected = Math.exp(x);
            float actual = VectorKernels.exp(x);
            assertTrue(Math.abs(actual - expected) <= 2 * Math.ulp((float) expected),
                    "exp(" + x + ") = " + actual + ", Math.exp gives " + expected);
        }
        assertEquals(1f, VectorKernels.exp(0f));
        assertEquals((float) Math.exp(-87), VectorKernels.exp(-200f), Math.ulp((float) Math.exp(-87)));
    }

    private interface Unary {
        void run(Kernels k, float[] src, float[] dst);
    }

    private static void checkUnary(String what, int n, float[] src, Unary op, double tol) {
        float[] ds = new float[n + 8];
        float[] dv = new float[n + 8];
        op.run(scalar, src, ds);
        op.run(vector, src, dv);
        for (int i = 0; i < ds.length; i++) {
            double err = Math.abs(ds[i] - dv[i]);
            assertTrue(err <= tol, what + ": element " + i + " scalar " + ds[i] + " vector " + dv[i]);
        }
    }

    @Test
    void softmaxAndCostsMatchScalar() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int n : new int[] {1, 7, 10, 13, 17}) {
            int rows = 9;
            float[] z = random(rng, rows * n);
            int[] labels = new int[rows + 2];
            for (int r = 0; r < labels.length; r++) {
                labels[r] = rng.nextInt(n);
            }
            float[] as = new float[rows * n], av = new float[rows * n];
            scalar.softmax(rows, n, z, 0, as, 0);
            vector.softmax(rows, n, z, 0, av, 0);
            assertClose("softmax " + n, as, av, abs(as), n);
            float[] gs = new float[rows * n], gv = new float[rows * n];
            assertEquals(scalar.crossEntropyCost(rows, n, as, 0, labels, 2, gs, 0),
                    vector.crossEntropyCost(rows, n, as, 0, labels, 2, gv, 0), 1e-9);
            assertClose("cross-entropy gradient " + n, gs, gv, abs(gs), 1);
            assertEquals(scalar.quadraticCost(rows, n, as, 0, labels, 1, gs, 0),
                    vector.quadraticCost(rows, n, as, 0, labels, 1, gv, 0), 1e-9);
            // a - y: the same floats, whatever the order the cost is summed in.
            assertArrayEquals(gs, gv, "quadratic gradient " + n);
        }
    }

    @Test
    void transposedForwardMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(21);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            int aOff = 3, lda = in + 5, wOff = 2, ldwt = out + 1, bOff = 1, zOff = 4, ldz = out + 3;
            float[] a = random(rng, aOff + rows * lda);
            float[] wt = random(rng, wOff + in * ldwt);
            // Without a bias (null) on every other shape: the input gradient's use.
            float[] b = in % 2 == 0 ? null : random(rng, bOff + out);
            float[] zs = random(rng, zOff + rows * ldz);
            float[] zv = zs.clone();
            float[] mag = new float[zs.length];
            scalar.forwardTransposed(rows, in, out, a, aOff, lda, wt, wOff, ldwt, b, bOff, zs, zOff, ldz);
            vector.forwardTransposed(rows, in, out, a, aOff, lda, wt, wOff, ldwt, b, bOff, zv, zOff, ldz);
            scalar.forwardTransposed(rows, in, out, abs(a), aOff, lda, abs(wt), wOff, ldwt, b == null ? null : abs(b),
                    bOff, mag, zOff, ldz);
            assertClose("forward (W^T) " + rows + "x" + in + "->" + out, zs, zv, mag, in);
        }
    }

    @Test
    void transposedWeightGradientMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(22);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            int aOff = 1, lda = in + 2, dzOff = 2, lddz = out + 1, dwOff = 3, lddwt = out + 5;
            float[] a = random(rng, aOff + rows * lda);
            float[] dz = random(rng, dzOff + rows * lddz);
            float[] dws = random(rng, dwOff + in * lddwt);
            float[] dwv = dws.clone();
            float[] mag = new float[dws.length];
            scalar.weightGradientTransposed(rows, in, out, a, aOff, lda, dz, dzOff, lddz, dws, dwOff, lddwt);
            vector.weightGradientTransposed(rows, in, out, a, aOff, lda, dz, dzOff, lddz, dwv, dwOff, lddwt);
            scalar.weightGradientTransposed(rows, in, out, abs(a), aOff, lda, abs(dz), dzOff, lddz, mag, dwOff, lddwt);
            assertClose("weight gradient (W^T) " + rows + "x" + in + "->" + out, dws, dwv, mag, rows);
        }
    }

    @Test
    void fusedWeightStepMatchesScalar() {
        SplittableRandom rng = new SplittableRandom(24);
        float scale = 0.01f, lr = 0.5f, wd = 1e-3f;
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            for (float momentum : new float[] {0f, 0.9f}) {
                int aOff = 2, lda = in + 1, dzOff = 1, lddz = out + 3, wOff = 4, ldwt = out + 2;
                float[] a = random(rng, aOff + rows * lda);
                float[] dz = random(rng, dzOff + rows * lddz);
                float[] ws = random(rng, wOff + in * ldwt), vs = random(rng, ws.length);
                float[] wv = ws.clone(), vv = vs.clone();
                float[] mag = new float[ws.length];
                scalar.weightGradientTransposed(rows, in, out, abs(a), aOff, lda, abs(dz), dzOff, lddz, mag, wOff, ldwt);
                scalar.weightStepTransposed(rows, in, out, a, aOff, lda, dz, dzOff, lddz, ws, wOff, ldwt, vs,
                        scale, lr, momentum, wd);
                vector.weightStepTransposed(rows, in, out, a, aOff, lda, dz, dzOff, lddz, wv, wOff, ldwt, vv,
                        scale, lr, momentum, wd);
                for (int i = 0; i < ws.length; i++) {
                    // The gradients may differ by the sums' bound; the step scales that by lr * scale
                    // (and, through the velocity, by 1 + momentum); a few ulps for the update itself.
                    double gTol = 2.0 * (rows + 2) * EPS * mag[i];
                    double tol = lr * scale * gTol * (1 + momentum) + 4 * Math.ulp(Math.max(Math.abs(ws[i]), 1f));
                    if (!(Math.abs(ws[i] - wv[i]) <= tol) || !(Math.abs(vs[i] - vv[i]) <= tol / lr + 1e-6)) {
                        throw new AssertionError("fused step " + rows + "x" + in + "->" + out + " momentum " + momentum
                                + ": element " + i + " scalar " + ws[i] + "/" + vs[i] + " vector " + wv[i] + "/" + vv[i]);
                    }
                }
            }
        }
    }

    @Test
    void rowsReadInPlaceGiveTheSameAsAGatheredCopy() {
        // The first layer reads examples straight from the dataset (rows given by offsets). The
        // oracle: the scalar kernels on a contiguous copy of those rows.
        SplittableRandom rng = new SplittableRandom(25);
        for (int[] s : shapes()) {
            int rows = s[0], in = s[1], out = s[2];
            int pool = rows + 11, stride = in + 3, col = 2, rowsOff = 4;
            float[] data = random(rng, pool * stride + col);
            int[] aRows = new int[rowsOff + rows];
            float[] gathered = new float[rows * in];
            for (int r = 0; r < rows; r++) {
                aRows[rowsOff + r] = rng.nextInt(pool) * stride;
                System.arraycopy(data, aRows[rowsOff + r] + col, gathered, r * in, in);
            }
            float[] wt = random(rng, in * out), b = random(rng, out);
            float[] zs = new float[rows * out], zv = new float[rows * out], mag = new float[rows * out];
            scalar.forwardTransposed(rows, in, out, gathered, 0, in, wt, 0, out, b, 0, zs, 0, out);
            vector.forwardTransposed(rows, in, out, data, aRows, rowsOff, col, wt, 0, out, b, 0, zv, 0, out);
            scalar.forwardTransposed(rows, in, out, abs(gathered), 0, in, abs(wt), 0, out, abs(b), 0, mag, 0, out);
            assertClose("forward (W^T, rows in place) " + rows + "x" + in + "->" + out, zs, zv, mag, in);

            float[] dz = random(rng, rows * out);
            float[] gs = new float[in * out], gv = new float[in * out], gmag = new float[in * out];
            scalar.weightGradientTransposed(rows, in, out, gathered, 0, in, dz, 0, out, gs, 0, out);
            vector.weightGradientTransposed(rows, in, out, data, aRows, rowsOff, col, dz, 0, out, gv, 0, out);
            scalar.weightGradientTransposed(rows, in, out, abs(gathered), 0, in, abs(dz), 0, out, gmag, 0, out);
            assertClose("weight gradient (W^T, rows in place) " + rows + "x" + in + "->" + out, gs, gv, gmag, rows);

            // The fused step in place against the strided one of the same (vector) kernels: the
            // same sums in the same order, so the same bits.
            float[] w1 = random(rng, in * out), w2 = w1.clone(), v1 = random(rng, in * out), v2 = v1.clone();
            vector.weightStepTransposed(rows, in, out, gathered, 0, in, dz, 0, out, w1, 0, out, v1, 0.01f, 0.5f, 0.9f, 1e-3f);
            vector.weightStepTransposed(rows, in, out, data, aRows, rowsOff, col, dz, 0, out, w2, 0, out, v2,
                    0.01f, 0.5f, 0.9f, 1e-3f);
            assertArrayEquals(w1, w2, "fused step in place " + rows + "x" + in + "->" + out);
            assertArrayEquals(v1, v2, "velocity in place " + rows + "x" + in + "->" + out);
        }
    }

    @Test
    void rowsAtTheKernelsLeadingDimensionGiveTheSameBitsAsContiguousRows() {
        // Rows exactly Tiles.ROW_STRIDE apart take the fixed tiles, which must add the same
        // products in the same order as the rows tiles: the oracle is the same kernels on a
        // contiguous copy (rows tiles), bit for bit, and the scalar kernels within the sums' bound.
        // A break in the spacing (row `gap` onwards) must send the tiles after it back to rows.
        SplittableRandom rng = new SplittableRandom(26);
        int ld = vector.leadingDimension(784);
        assertEquals(1040, ld, "the vector kernels' leading dimension for 784 columns");
        assertEquals(100, vector.leadingDimension(100), "narrow rows are not padded");
        assertEquals(2000, vector.leadingDimension(2000), "rows wider than the fixed stride are not padded");
        assertEquals(784, scalar.leadingDimension(784));
        for (int rows : new int[] {1, 4, 15, 16, 17, 33, 100}) {
            for (int out : new int[] {10, 16, 40, 48, 130}) {
                int in = rows % 2 == 0 ? 784 : 1038, col = 2, gap = rows / 2 + 3;
                float[] data = random(rng, (rows + 2) * ld + col + in);
                int[] aRows = new int[rows];
                float[] gathered = new float[rows * in];
                for (int r = 0; r < rows; r++) {
                    aRows[r] = (r < gap ? r : r + 1) * ld;
                    System.arraycopy(data, aRows[r] + col, gathered, r * in, in);
                }
                float[] wt = random(rng, in * out), b = random(rng, out);
                float[] zc = new float[rows * out], zf = new float[rows * out];
                float[] zs = new float[rows * out], mag = new float[rows * out];
                vector.forwardTransposed(rows, in, out, gathered, 0, in, wt, 0, out, b, 0, zc, 0, out);
                vector.forwardTransposed(rows, in, out, data, aRows, 0, col, wt, 0, out, b, 0, zf, 0, out);
                String shape = rows + "x" + in + "->" + out;
                assertArrayEquals(zc, zf, "forward, rows " + ld + " apart, " + shape);
                scalar.forwardTransposed(rows, in, out, gathered, 0, in, wt, 0, out, b, 0, zs, 0, out);
                scalar.forwardTransposed(rows, in, out, abs(gathered), 0, in, abs(wt), 0, out, abs(b), 0, mag, 0, out);
                assertClose("forward, rows " + ld + " apart, " + shape, zs, zf, mag, in);
                // The strided overload reaches the same tiles when lda is the fixed stride.
                float[] zl = new float[rows * out];
                vector.forwardTransposed(rows, in, out, data, col, ld, wt, 0, out, null, 0, zl, 0, out);
                float[] gl = new float[rows * out], ml = new float[rows * out];
                float[] contiguous = new float[rows * in];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(data, r * ld + col, contiguous, r * in, in);
                }
                scalar.forwardTransposed(rows, in, out, contiguous, 0, in, wt, 0, out, null, 0, gl, 0, out);
                scalar.forwardTransposed(rows, in, out, abs(contiguous), 0, in, abs(wt), 0, out, null, 0, ml, 0, out);
                assertClose("forward, lda " + ld + ", " + shape, gl, zl, ml, in);
            }
        }
    }

    @Test
    void aPartialVectorReadPastItsColumnsChangesNothing() {
        // With 10 (or 13, 22) columns the last vector is partial. Where Q's rows (and b) go on
        // past it, the vector kernels read on instead of copying it padded: whatever is there
        // (NaN here, between rows and after the last) must not reach the columns kept.
        SplittableRandom rng = new SplittableRandom(27);
        for (int out : new int[] {10, 13, 22}) {
            for (int rows : new int[] {1, 7, 100}) {
                int in = 16 + rows % 5, ldq = out + 3, slack = 64;
                // Forward: Q = WT (in, out) with ldq; b with NaN after it.
                float[] a = random(rng, rows * in);
                float[] wt = nanPadded(rng, in, out, ldq, slack);
                float[] b = new float[out + slack];
                java.util.Arrays.fill(b, Float.NaN);
                System.arraycopy(random(rng, out), 0, b, 0, out);
                float[] zs = new float[rows * out], zv = new float[rows * out], mag = new float[rows * out];
                float[] wtPlain = unpad(wt, in, out, ldq);
                float[] bPlain = java.util.Arrays.copyOf(b, out);
                scalar.forwardTransposed(rows, in, out, a, 0, in, wtPlain, 0, out, bPlain, 0, zs, 0, out);
                vector.forwardTransposed(rows, in, out, a, 0, in, wt, 0, ldq, b, 0, zv, 0, out);
                scalar.forwardTransposed(rows, in, out, abs(a), 0, in, abs(wtPlain), 0, out, abs(bPlain), 0, mag, 0, out);
                assertClose("forward past a partial vector, " + rows + "x" + in + "->" + out, zs, zv, mag, in);
                // Weight step: Q = dZ (rows, out) with ldq, NaN between and after its rows.
                float[] dz = nanPadded(rng, rows, out, ldq, slack);
                float[] dzPlain = unpad(dz, rows, out, ldq);
                float[] ws = random(rng, in * out), wv = ws.clone(), vs = random(rng, in * out), vv = vs.clone();
                float[] gmag = new float[in * out];
                scalar.weightGradientTransposed(rows, in, out, abs(a), 0, in, abs(dzPlain), 0, out, gmag, 0, out);
                scalar.weightStepTransposed(rows, in, out, a, 0, in, dzPlain, 0, out, ws, 0, out, vs, 0.01f, 0.5f, 0.9f, 0f);
                vector.weightStepTransposed(rows, in, out, a, 0, in, dz, 0, ldq, wv, 0, out, vv, 0.01f, 0.5f, 0.9f, 0f);
                for (int i = 0; i < ws.length; i++) {
                    double tol = 0.5 * 0.01 * 2.0 * (rows + 2) * EPS * gmag[i] * 1.9 + 4 * Math.ulp(Math.max(Math.abs(ws[i]), 1f));
                    if (!(Math.abs(ws[i] - wv[i]) <= tol)) {
                        throw new AssertionError("step past a partial vector " + rows + "x" + in + "->" + out
                                + ": element " + i + " scalar " + ws[i] + " vector " + wv[i]);
                    }
                }
            }
        }
    }

    /** A (rows, cols) matrix of random values with leading dimension ld, NaN in the gaps and after. */
    private static float[] nanPadded(SplittableRandom rng, int rows, int cols, int ld, int slack) {
        float[] m = new float[rows * ld + slack];
        java.util.Arrays.fill(m, Float.NaN);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r * ld + c] = (float) (rng.nextDouble() * 2 - 1);
            }
        }
        return m;
    }

    private static float[] unpad(float[] m, int rows, int cols, int ld) {
        float[] plain = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(m, r * ld, plain, r * cols, cols);
        }
        return plain;
    }

    // The paired layout (Kernels), checked against the transposed scalar kernels on the same
    // numbers laid out plainly: X (rows, 2 * pairs) and WT (2 * pairs, out).

    private static final int[] PAIRED_ROWS = {1, 3, 4, 7, 8, 13, 100};
    private static final int[] PAIRS = {1, 7, 8, 9, 17, 200, 392};

    /** X's rows in pairs, ldx doubles apart from xOff on: the XP of Kernels. */
    private static double[] toPairs(float[] a, int rows, int in, int lda, int xOff, int ldx) {
        double[] x = new double[xOff + rows * ldx];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < in / 2; p++) {
                x[xOff + r * ldx + p] = Kernels.pairOf(a[r * lda + 2 * p], a[r * lda + 2 * p + 1]);
            }
        }
        return x;
    }

    /** Where WT[k][j] (out neurons) is in WP, from wpOff. */
    private static int paired(int k, int j, int out, int wpOff) {
        return wpOff + 2 * ((k / 2) * out + j) + (k & 1);
    }

    private static int pairedWidth() {
        int out = vector.pairedWidth();
        assumeTrue(out > 0, vector.name() + " has no paired layout");
        return out;
    }

    @Test
    void pairedForwardMatchesTheTransposedScalarForward() {
        int out = pairedWidth();
        SplittableRandom rng = new SplittableRandom(31);
        for (int rows : PAIRED_ROWS) {
            for (int pairs : PAIRS) {
                // Any distance between rows, and the kernels' own (Tiles.pairFixed where it fits).
                for (int ldx : new int[] {pairs + 2, vector.pairedLeadingDimension(pairs)}) {
                    pairedForward(rng, out, rows, pairs, ldx);
                }
            }
        }
    }

    @Test
    void fixedPairTilesGiveTheBitsOfTheGeneralOnes() {
        // Tiles.pairFixed runs only on some JDKs (VectorKernels.FIXED_PAIR_TILES); pairForward,
        // checked against the scalar kernels above, runs on all: the same sums in the same order.
        SplittableRandom rng = new SplittableRandom(37);
        int lanes = VectorKernels.SPECIES.length();
        for (int pairs : new int[] {1, 2, 7, 64, Tiles.PAIR_STRIDE}) {
            int x0 = 3, w0 = 5;
            double[] x = new double[x0 + 8 * Tiles.PAIR_STRIDE];
            for (int i = 0; i < x.length; i++) {
                x[i] = Kernels.pairOf((float) rng.nextDouble(-1, 1), (float) rng.nextDouble(-1, 1));
            }
            float[] wp = random(rng, w0 + 2 * lanes * pairs);
            float[] fixed = new float[16 * lanes], general = new float[16 * lanes];
            Tiles.pairFixed8(pairs, x, x0, wp, w0, fixed);
            Tiles.pairForward8(pairs, x, x0, Tiles.PAIR_STRIDE, wp, w0, general);
            assertArrayEquals(general, fixed, "8 rows, " + pairs + " pairs");
            float[] fixed4 = new float[8 * lanes], general4 = new float[8 * lanes];
            Tiles.pairFixed4(pairs, x, x0 + 1, wp, w0, fixed4);
            Tiles.pairForward4(pairs, x, x0 + 1, Tiles.PAIR_STRIDE, wp, w0, general4);
            assertArrayEquals(general4, fixed4, "4 rows, " + pairs + " pairs");
        }
    }

    @Test
    void pairedLeadingDimensionFitsTheRows() {
        for (int pairs : PAIRS) {
            assertTrue(vector.pairedLeadingDimension(pairs) >= pairs, "pairs " + pairs);
        }
    }

    private static void pairedForward(SplittableRandom rng, int out, int rows, int pairs, int ldx) {
        int in = 2 * pairs, xOff = 3, wpOff = 5, bOff = 1, zOff = 4, ldz = out + 3;
        float[] a = random(rng, rows * in);
        float[] wt = random(rng, in * out);
        float[] b = pairs % 2 == 0 ? null : random(rng, bOff + out);
        float[] wp = new float[wpOff + in * out + 7];
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < out; j++) {
                wp[paired(k, j, out, wpOff)] = wt[k * out + j];
            }
        }
        float[] zs = random(rng, zOff + rows * ldz);
        float[] zv = zs.clone();
        float[] mag = new float[zs.length];
        scalar.forwardTransposed(rows, in, out, a, 0, in, wt, 0, out, b, bOff, zs, zOff, ldz);
        vector.pairedForward(rows, pairs, out, toPairs(a, rows, in, in, xOff, ldx), xOff, ldx, wp, wpOff, b,
                bOff, zv, zOff, ldz);
        scalar.forwardTransposed(rows, in, out, abs(a), 0, in, abs(wt), 0, out, b == null ? null : abs(b), bOff,
                mag, zOff, ldz);
        assertClose("paired forward " + rows + "x" + in + "->" + out + " ldx " + ldx, zs, zv, mag, in);
    }

    @Test
    void pairedWeightGradientAndStepMatchTheTransposedScalarOnes() {
        int out = pairedWidth();
        SplittableRandom rng = new SplittableRandom(32);
        float scale = 0.01f, lr = 0.5f, wd = 1e-3f;
        for (int rows : PAIRED_ROWS) {
            for (int pairs : PAIRS) {
                int in = 2 * pairs, xOff = 2, ldx = pairs + 1, dzOff = 3, wpOff = 6;
                float[] a = random(rng, rows * in);
                float[] dz = random(rng, rows * out);
                float[] dzp = new float[dzOff + 2 * rows * out];
                for (int i = 0; i < rows * out; i++) {
                    dzp[dzOff + 2 * i] = dz[i];
                    dzp[dzOff + 2 * i + 1] = dz[i];
                }
                double[] x = toPairs(a, rows, in, in, xOff, ldx);
                float[] mag = new float[in * out];
                scalar.weightGradientTransposed(rows, in, out, abs(a), 0, in, abs(dz), 0, out, mag, 0, out);
                // The gradient alone, written over whatever was there.
                float[] gs = new float[in * out];
                scalar.weightGradientTransposed(rows, in, out, a, 0, in, dz, 0, out, gs, 0, out);
                float[] gv = random(rng, wpOff + in * out + 5);
                float[] before = gv.clone();
                vector.pairedWeightGradient(rows, pairs, out, x, xOff, ldx, dzp, dzOff, gv, wpOff);
                float[] gvPlain = new float[in * out];
                for (int k = 0; k < in; k++) {
                    for (int j = 0; j < out; j++) {
                        gvPlain[k * out + j] = gv[paired(k, j, out, wpOff)];
                    }
                }
                assertClose("paired weight gradient " + rows + "x" + in + "->" + out, gs, gvPlain, mag, rows);
                for (int i = 0; i < wpOff; i++) {
                    assertEquals(before[i], gv[i], "nothing written before wpOff");
                }
                for (int i = wpOff + in * out; i < gv.length; i++) {
                    assertEquals(before[i], gv[i], "nothing written past the weights");
                }
                // The fused step, with and without momentum.
                for (float momentum : new float[] {0f, 0.9f}) {
                    float[] ws = random(rng, in * out), vs = random(rng, in * out);
                    float[] wp = new float[wpOff + in * out], vp = new float[wp.length];
                    for (int k = 0; k < in; k++) {
                        for (int j = 0; j < out; j++) {
                            wp[paired(k, j, out, wpOff)] = ws[k * out + j];
                            vp[paired(k, j, out, wpOff)] = vs[k * out + j];
                        }
                    }
                    scalar.weightStepTransposed(rows, in, out, a, 0, in, dz, 0, out, ws, 0, out, vs, scale, lr, momentum, wd);
                    vector.pairedWeightStep(rows, pairs, out, x, xOff, ldx, dzp, dzOff, wp, wpOff, vp, scale, lr, momentum, wd);
                    for (int k = 0; k < in; k++) {
                        for (int j = 0; j < out; j++) {
                            int i = k * out + j, q = paired(k, j, out, wpOff);
                            double gTol = 2.0 * (rows + 2) * EPS * mag[i];
                            double tol = lr * scale * gTol * (1 + momentum) + 4 * Math.ulp(Math.max(Math.abs(ws[i]), 1f));
                            if (!(Math.abs(ws[i] - wp[q]) <= tol) || !(Math.abs(vs[i] - vp[q]) <= tol / lr + 1e-6)) {
                                throw new AssertionError("paired step " + rows + "x" + in + "->" + out + " momentum "
                                        + momentum + ": WT[" + k + "][" + j + "] scalar " + ws[i] + "/" + vs[i]
                                        + " paired " + wp[q] + "/" + vp[q]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void bytesBecomeTheSameFloatPairsAsTheScalarExpression() {
        byte[] all = new byte[256 + 40];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        for (int n : new int[] {2, 8, 16, 100, 256, 290}) {
            double[] dv = new double[n / 2 + 3];
            vector.unitFloatPairs(all, 5, dv, 2, n);
            for (int i = 0; i < n; i++) {
                float expected = (all[5 + i] & 0xFF) / 255f;
                assertEquals(Float.floatToRawIntBits(expected),
                        Float.floatToRawIntBits(Kernels.pairHalf(dv[2 + i / 2], i % 2)),
                        "byte " + (all[5 + i] & 0xFF) + " (n=" + n + ")");
            }
            assertEquals(0d, dv[0]);
            assertEquals(0d, dv[n / 2 + 2], "nothing written past n / 2");
        }
    }

    @Test
    void transposeMovesEveryValueToItsPlace() {
        // The vector kernel transposes blocks of L x L in registers and the rest by the plain loop,
        // a matrix of fewer than 4 L^2 elements wholly by the loop: shapes around L and its
        // multiples, on both sides of that size, and lds changing from call to call.
        for (int rows : new int[] {1, 15, 16, 17, 33, 48, 64}) {
            for (int cols : new int[] {1, 5, 16, 48}) {
                for (int extra : new int[] {0, 3}) {
                    int lds = cols + extra, ldd = rows + 2 * extra, srcOff = 7, dstOff = 5;
                    float[] src = new float[srcOff + rows * lds];
                    for (int i = 0; i < src.length; i++) {
                        src[i] = i + 0.5f;
                    }
                    float[] dst = new float[dstOff + cols * ldd + 4];
                    vector.transpose(rows, cols, src, srcOff, lds, dst, dstOff, ldd);
                    for (int c = 0; c < cols; c++) {
                        for (int r = 0; r < rows; r++) {
                            assertEquals(src[srcOff + r * lds + c], dst[dstOff + c * ldd + r],
                                    "row " + r + ", column " + c + " of " + rows + "x" + cols + ", lds " + lds);
                        }
                        for (int r = rows; r < ldd && dstOff + c * ldd + r < dst.length; r++) {
                            assertEquals(0f, dst[dstOff + c * ldd + r], "nothing between the rows of dst");
                        }
                    }
                    assertEquals(0f, dst[dstOff - 1]);
                }
            }
        }
    }

    @Test
    void addSumsEachPairOnceRounded() {
        // Oracle: each sum exact in double (the values' exponents are at most 2^21 apart, well
        // within a double's 29 spare bits), then rounded once to float.
        for (int n : new int[] {1, 7, 16, 17, 100, 1041}) {
            float[] x = new float[n + 3];
            float[] y = new float[n + 5];
            SplittableRandom rng = new SplittableRandom(n);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rng.nextDouble() - 0.5) * (1 << rng.nextInt(10));
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) (rng.nextDouble() - 0.5) / (1 << rng.nextInt(10));
            }
            float[] expected = y.clone();
            for (int i = 0; i < n; i++) {
                expected[4 + i] = (float) ((double) x[3 + i] + (double) y[4 + i]);
            }
            vector.add(x, 3, y, 4, n);
            assertArrayEquals(expected, y, "n=" + n + ": every sum once rounded, nothing outside [4, 4 + n) written");
        }
    }

    @Test
    void floatsTwiceWritesEachValueTwiceInARow() {
        for (int n : new int[] {1, 7, 8, 16, 17, 100, 1600}) {
            float[] src = new float[n + 6];
            for (int i = 0; i < src.length; i++) {
                src[i] = i == 3 ? -0f : i * 0.75f - 2f;
            }
            float[] dv = new float[2 * n + 5];
            vector.floatsTwice(src, 3, dv, 2, n);
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToRawIntBits(src[3 + i]);
                assertEquals(bits, Float.floatToRawIntBits(dv[2 + 2 * i]), "first copy of " + i + " (n=" + n + ")");
                assertEquals(bits, Float.floatToRawIntBits(dv[3 + 2 * i]), "second copy of " + i + " (n=" + n + ")");
            }
            assertEquals(0f, dv[1]);
            assertEquals(0f, dv[2 * n + 2], "nothing written past 2n");
        }
    }

    @Test
    void bytesBecomeTheSameFloatsAsTheScalarExpression() {
        byte[] all = new byte[256 + 40];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        for (int n : new int[] {1, 7, 16, 100, 256, 289}) {
            float[] dv = new float[n + 3];
            vector.unitFloats(all, 5, dv, 2, n);
            for (int i = 0; i < n; i++) {
                float expected = (all[5 + i] & 0xFF) / 255f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(dv[2 + i]),
                        "byte " + (all[5 + i] & 0xFF) + " (n=" + n + ")");
            }
            assertEquals(0f, dv[0]);
            assertEquals(0f, dv[n + 2], "nothing written past n");
        }
    }

    /** Velocities of every magnitude from 2^-140 (subnormal) to 2^4, either sign, and a few specials. */
    private static float[] velocitiesAroundTheFloor(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextBoolean() ? 1 : -1) * (1 + rng.nextDouble()) * Math.pow(2, -140 + rng.nextInt(145)));
        }
        float[] special = {0x1p-100f, -0x1p-100f, Math.nextDown(0x1p-100f), Float.MIN_VALUE, -0f, Float.NaN,
                Float.POSITIVE_INFINITY, Float.MIN_NORMAL, 0x1p-99f};
        System.arraycopy(special, 0, v, 0, Math.min(n, special.length));
        return v;
    }

    @Test
    void velocitiesAreFlooredAsInTheScalarKernels() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int n : new int[] {9, 13, 207, 4098}) {
            // sgdStep, gradient 0 and no decay for half of the weights: the velocity only decays.
            float[] ps = random(rng, n), grads = random(rng, n), vs = velocitiesAroundTheFloor(rng, n);
            for (int i = 0; i < n; i += 2) {
                grads[i] = 0f;
            }
            float[] pv = ps.clone(), vv = vs.clone();
            scalar.sgdStep(ps, grads, vs, 0, n, 1e-30f, 0.5f, 0.9f, 0f);
            vector.sgdStep(pv, grads, vv, 0, n, 1e-30f, 0.5f, 0.9f, 0f);
            assertArrayEquals(vs, vv, "sgdStep velocity, n=" + n);
            assertArrayEquals(ps, pv, "sgdStep params, n=" + n);
        }
        // The fused step, with a dZ of zeros: every sum is exactly 0, so scalar and vector agree to
        // the bit, whatever order they sum in.
        for (int[] s : new int[][] {{100, 784, 16}, {13, 17, 800}, {7, 9, 13}}) {
            int rows = s[0], in = s[1], out = s[2];
            float[] a = random(rng, rows * in), dz = new float[rows * out];
            float[] ws = random(rng, in * out), vs = velocitiesAroundTheFloor(rng, in * out);
            float[] wv = ws.clone(), vv = vs.clone();
            scalar.weightStepTransposed(rows, in, out, a, 0, in, dz, 0, out, ws, 0, out, vs, 0.01f, 0.5f, 0.9f, 0f);
            vector.weightStepTransposed(rows, in, out, a, 0, in, dz, 0, out, wv, 0, out, vv, 0.01f, 0.5f, 0.9f, 0f);
            assertArrayEquals(vs, vv, "fused step velocity " + rows + "x" + in + "->" + out);
            assertArrayEquals(ws, wv, "fused step weights " + rows + "x" + in + "->" + out);
            int zeros = 0;
            for (float x : vv) {
                zeros += Float.floatToRawIntBits(x) == 0 ? 1 : 0;
            }
            assertTrue(zeros > in * out / 5, "about 30% of the velocities fall below the floor: " + zeros);
        }
    }

    @Test
    void sgdStepMatchesScalarExactly() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int n : new int[] {1, 7, 9, 13, 16, 207, 4098}) {
            for (float momentum : new float[] {0f, 0.9f}) {
                float[] ps = random(rng, n + 9), grads = random(rng, n + 9), vs = random(rng, n + 9);
                float[] pv = ps.clone(), vv = vs.clone();
                // The same operations in the same order, no FMA: bit for bit the same parameters.
                scalar.sgdStep(ps, grads, vs, 3, n, 0.01f, 0.5f, momentum, 1e-3f);
                vector.sgdStep(pv, grads, vv, 3, n, 0.01f, 0.5f, momentum, 1e-3f);
                assertArrayEquals(ps, pv, "params, n=" + n + ", momentum " + momentum);
                assertArrayEquals(vs, vv, "velocity, n=" + n + ", momentum " + momentum);
            }
        }
    }
}
