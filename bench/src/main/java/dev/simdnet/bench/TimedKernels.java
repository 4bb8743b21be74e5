package dev.simdnet.bench;

import dev.simdnet.core.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;

/**
 * Another implementation's kernels, each call timed: where a training step's time goes, kernel by
 * kernel ({@link StepProfile}). Every method of {@link Kernels} is passed on, the defaults too, so
 * that the results are the wrapped implementation's bit for bit (a test checks both). The layout
 * queries ({@code leadingDimension} and the like) are passed on untimed. Each thread adds to
 * counters of its own; {@link #nanos} and {@link #calls} sum them over the threads.
 *
 * <p>Timing costs two {@code System.nanoTime} calls a kernel call, some 40-60 ns: it shows on
 * kernels that take a microsecond or less.
 */
public final class TimedKernels implements Kernels {

    /** The timed kernels, in the order of their counters. */
    public static final List<String> KERNELS = List.of(
            "forward", "accumulateWeightGradient", "weightGradient", "accumulateBiasGradient", "inputGradient",
            "matVec", "sigmoid", "tanh", "relu", "sigmoidBackward", "tanhBackward", "reluBackward", "softmax",
            "quadraticCost", "crossEntropyCost", "sgdStep", "forwardTransposed", "weightGradientTransposed",
            "weightStepTransposed", "forwardTransposed (rows)", "weightGradientTransposed (rows)",
            "weightStepTransposed (rows)", "unitFloats", "unitFloatPairs", "floatPairs", "pairedForward",
            "pairedWeightGradient", "pairedWeightStep", "floatsTwice", "transpose", "add");

    private static final int FORWARD = 0, ACCUMULATE_WEIGHT_GRADIENT = 1, WEIGHT_GRADIENT = 2,
            ACCUMULATE_BIAS_GRADIENT = 3, INPUT_GRADIENT = 4, MAT_VEC = 5, SIGMOID = 6, TANH = 7, RELU = 8,
            SIGMOID_BACKWARD = 9, TANH_BACKWARD = 10, RELU_BACKWARD = 11, SOFTMAX = 12, QUADRATIC_COST = 13,
            CROSS_ENTROPY_COST = 14, SGD_STEP = 15, FORWARD_T = 16, WEIGHT_GRADIENT_T = 17, WEIGHT_STEP_T = 18,
            FORWARD_T_ROWS = 19, WEIGHT_GRADIENT_T_ROWS = 20, WEIGHT_STEP_T_ROWS = 21, UNIT_FLOATS = 22,
            UNIT_FLOAT_PAIRS = 23, FLOAT_PAIRS = 24, PAIRED_FORWARD = 25, PAIRED_WEIGHT_GRADIENT = 26,
            PAIRED_WEIGHT_STEP = 27, FLOATS_TWICE = 28, TRANSPOSE = 29, ADD = 30;

    private final Kernels inner;
    /** Each thread's counters: nanoseconds at 2k, calls at 2k + 1, for kernel k of KERNELS. */
    private final ThreadLocal<long[]> counters;
    private final List<long[]> all = new ArrayList<>();

    public TimedKernels(Kernels inner) {
        this.inner = inner;
        this.counters = ThreadLocal.withInitial(() -> {
            long[] c = new long[2 * KERNELS.size()];
            synchronized (all) {
                all.add(c);
            }
            return c;
        });
    }

    /** The implementation timed. */
    public Kernels inner() {
        return inner;
    }

    /** Nanoseconds spent in kernel {@code k} (an index of KERNELS) so far, over all threads. */
    public long nanos(int k) {
        return sum(2 * k);
    }

    /** Calls of kernel {@code k} so far, over all threads. */
    public long calls(int k) {
        return sum(2 * k + 1);
    }

    private long sum(int at) {
        long s = 0;
        synchronized (all) {
            for (long[] c : all) {
                s += c[at];
            }
        }
        return s;
    }

    /** Sets every counter of every thread to 0; call it between steps, not during one. */
    public void reset() {
        synchronized (all) {
            for (long[] c : all) {
                java.util.Arrays.fill(c, 0);
            }
        }
    }

    private void add(int k, long start) {
        long[] c = counters.get();
        c[2 * k] += System.nanoTime() - start;
        c[2 * k + 1]++;
    }

    @Override
    public String name() {
        return inner.name() + " (timed)";
    }

    @Override
    public void forward(int rows, int in, int out, float[] a, int aOff, int lda, float[] w, int wOff, int ldw,
                        float[] b, int bOff, float[] z, int zOff, int ldz) {
        long t = System.nanoTime();
        inner.forward(rows, in, out, a, aOff, lda, w, wOff, ldw, b, bOff, z, zOff, ldz);
        add(FORWARD, t);
    }

    @Override
    public void accumulateWeightGradient(int rows, int in, int out, float[] dz, int dzOff, int lddz, float[] a,
                                         int aOff, int lda, float[] dw, int dwOff, int lddw) {
        long t = System.nanoTime();
        inner.accumulateWeightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dw, dwOff, lddw);
        add(ACCUMULATE_WEIGHT_GRADIENT, t);
    }

    @Override
    public void weightGradient(int rows, int in, int out, float[] dz, int dzOff, int lddz, float[] a, int aOff,
                               int lda, float[] dw, int dwOff, int lddw) {
        long t = System.nanoTime();
        inner.weightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dw, dwOff, lddw);
        add(WEIGHT_GRADIENT, t);
    }

    @Override
    public void accumulateBiasGradient(int rows, int out, float[] dz, int dzOff, int lddz, float[] db, int dbOff) {
        long t = System.nanoTime();
        inner.accumulateBiasGradient(rows, out, dz, dzOff, lddz, db, dbOff);
        add(ACCUMULATE_BIAS_GRADIENT, t);
    }

    @Override
    public void inputGradient(int rows, int in, int out, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                              int ldw, float[] da, int daOff, int ldda) {
        long t = System.nanoTime();
        inner.inputGradient(rows, in, out, dz, dzOff, lddz, w, wOff, ldw, da, daOff, ldda);
        add(INPUT_GRADIENT, t);
    }

    @Override
    public void matVec(int in, int out, float[] w, int wOff, int ldw, float[] x, int xOff, float[] b, int bOff,
                       float[] y, int yOff) {
        long t = System.nanoTime();
        inner.matVec(in, out, w, wOff, ldw, x, xOff, b, bOff, y, yOff);
        add(MAT_VEC, t);
    }

    @Override
    public void sigmoid(float[] z, int zOff, float[] a, int aOff, int n) {
        long t = System.nanoTime();
        inner.sigmoid(z, zOff, a, aOff, n);
        add(SIGMOID, t);
    }

    @Override
    public void tanh(float[] z, int zOff, float[] a, int aOff, int n) {
        long t = System.nanoTime();
        inner.tanh(z, zOff, a, aOff, n);
        add(TANH, t);
    }

    @Override
    public void relu(float[] z, int zOff, float[] a, int aOff, int n) {
        long t = System.nanoTime();
        inner.relu(z, zOff, a, aOff, n);
        add(RELU, t);
    }

    @Override
    public void sigmoidBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        long t = System.nanoTime();
        inner.sigmoidBackward(a, aOff, g, gOff, n);
        add(SIGMOID_BACKWARD, t);
    }

    @Override
    public void tanhBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        long t = System.nanoTime();
        inner.tanhBackward(a, aOff, g, gOff, n);
        add(TANH_BACKWARD, t);
    }

    @Override
    public void reluBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        long t = System.nanoTime();
        inner.reluBackward(a, aOff, g, gOff, n);
        add(RELU_BACKWARD, t);
    }

    @Override
    public void softmax(int rows, int n, float[] z, int zOff, float[] a, int aOff) {
        long t = System.nanoTime();
        inner.softmax(rows, n, z, zOff, a, aOff);
        add(SOFTMAX, t);
    }

    @Override
    public double quadraticCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff, float[] grad,
                                int gradOff) {
        long t = System.nanoTime();
        double cost = inner.quadraticCost(rows, n, a, aOff, labels, labelOff, grad, gradOff);
        add(QUADRATIC_COST, t);
        return cost;
    }

    @Override
    public double crossEntropyCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff, float[] grad,
                                   int gradOff) {
        long t = System.nanoTime();
        double cost = inner.crossEntropyCost(rows, n, a, aOff, labels, labelOff, grad, gradOff);
        add(CROSS_ENTROPY_COST, t);
        return cost;
    }

    @Override
    public void sgdStep(float[] params, float[] grads, float[] velocity, int off, int n, float gradScale,
                        float learningRate, float momentum, float weightDecay) {
        long t = System.nanoTime();
        inner.sgdStep(params, grads, velocity, off, n, gradScale, learningRate, momentum, weightDecay);
        add(SGD_STEP, t);
    }

    @Override
    public void forwardTransposed(int rows, int in, int out, float[] a, int aOff, int lda, float[] wt, int wtOff,
                                  int ldwt, float[] b, int bOff, float[] z, int zOff, int ldz) {
        long t = System.nanoTime();
        inner.forwardTransposed(rows, in, out, a, aOff, lda, wt, wtOff, ldwt, b, bOff, z, zOff, ldz);
        add(FORWARD_T, t);
    }

    @Override
    public void weightGradientTransposed(int rows, int in, int out, float[] a, int aOff, int lda, float[] dz,
                                         int dzOff, int lddz, float[] dwt, int dwtOff, int lddwt) {
        long t = System.nanoTime();
        inner.weightGradientTransposed(rows, in, out, a, aOff, lda, dz, dzOff, lddz, dwt, dwtOff, lddwt);
        add(WEIGHT_GRADIENT_T, t);
    }

    @Override
    public void weightStepTransposed(int rows, int in, int out, float[] a, int aOff, int lda, float[] dz, int dzOff,
                                     int lddz, float[] wt, int wtOff, int ldwt, float[] velocity, float gradScale,
                                     float learningRate, float momentum, float weightDecay) {
        long t = System.nanoTime();
        inner.weightStepTransposed(rows, in, out, a, aOff, lda, dz, dzOff, lddz, wt, wtOff, ldwt, velocity,
                gradScale, learningRate, momentum, weightDecay);
        add(WEIGHT_STEP_T, t);
    }

    @Override
    public void forwardTransposed(int rows, int in, int out, float[] a, int[] aRows, int aRowsOff, int aOff,
                                  float[] wt, int wtOff, int ldwt, float[] b, int bOff, float[] z, int zOff, int ldz) {
        long t = System.nanoTime();
        inner.forwardTransposed(rows, in, out, a, aRows, aRowsOff, aOff, wt, wtOff, ldwt, b, bOff, z, zOff, ldz);
        add(FORWARD_T_ROWS, t);
    }

    @Override
    public void weightGradientTransposed(int rows, int in, int out, float[] a, int[] aRows, int aRowsOff, int aOff,
                                         float[] dz, int dzOff, int lddz, float[] dwt, int dwtOff, int lddwt) {
        long t = System.nanoTime();
        inner.weightGradientTransposed(rows, in, out, a, aRows, aRowsOff, aOff, dz, dzOff, lddz, dwt, dwtOff, lddwt);
        add(WEIGHT_GRADIENT_T_ROWS, t);
    }

    @Override
    public void weightStepTransposed(int rows, int in, int out, float[] a, int[] aRows, int aRowsOff, int aOff,
                                     float[] dz, int dzOff, int lddz, float[] wt, int wtOff, int ldwt,
                                     float[] velocity, float gradScale, float learningRate, float momentum,
                                     float weightDecay) {
        long t = System.nanoTime();
        inner.weightStepTransposed(rows, in, out, a, aRows, aRowsOff, aOff, dz, dzOff, lddz, wt, wtOff, ldwt,
                velocity, gradScale, learningRate, momentum, weightDecay);
        add(WEIGHT_STEP_T_ROWS, t);
    }

    @Override
    public int leadingDimension(int cols) {
        return inner.leadingDimension(cols);
    }

    @Override
    public void unitFloats(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        long t = System.nanoTime();
        inner.unitFloats(src, srcOff, dst, dstOff, n);
        add(UNIT_FLOATS, t);
    }

    @Override
    public int pairedWidth() {
        return inner.pairedWidth();
    }

    @Override
    public int pairedLeadingDimension(int pairs) {
        return inner.pairedLeadingDimension(pairs);
    }

    @Override
    public void unitFloatPairs(byte[] src, int srcOff, double[] dst, int dstOff, int n) {
        long t = System.nanoTime();
        inner.unitFloatPairs(src, srcOff, dst, dstOff, n);
        add(UNIT_FLOAT_PAIRS, t);
    }

    @Override
    public void floatPairs(float[] src, int srcOff, double[] dst, int dstOff, int n) {
        long t = System.nanoTime();
        inner.floatPairs(src, srcOff, dst, dstOff, n);
        add(FLOAT_PAIRS, t);
    }

    @Override
    public void transpose(int rows, int cols, float[] src, int srcOff, int lds, float[] dst, int dstOff, int ldd) {
        long t = System.nanoTime();
        inner.transpose(rows, cols, src, srcOff, lds, dst, dstOff, ldd);
        add(TRANSPOSE, t);
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, int n) {
        long t = System.nanoTime();
        inner.add(x, xOff, y, yOff, n);
        add(ADD, t);
    }

    @Override
    public void floatsTwice(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        long t = System.nanoTime();
        inner.floatsTwice(src, srcOff, dst, dstOff, n);
        add(FLOATS_TWICE, t);
    }

    @Override
    public void pairedForward(int rows, int pairs, int out, double[] x, int xOff, int ldx, float[] wp, int wpOff,
                              float[] b, int bOff, float[] z, int zOff, int ldz) {
        long t = System.nanoTime();
        inner.pairedForward(rows, pairs, out, x, xOff, ldx, wp, wpOff, b, bOff, z, zOff, ldz);
        add(PAIRED_FORWARD, t);
    }

    @Override
    public void pairedWeightGradient(int rows, int pairs, int out, double[] x, int xOff, int ldx, float[] dzp,
                                     int dzOff, float[] dwp, int dwpOff) {
        long t = System.nanoTime();
        inner.pairedWeightGradient(rows, pairs, out, x, xOff, ldx, dzp, dzOff, dwp, dwpOff);
        add(PAIRED_WEIGHT_GRADIENT, t);
    }

    @Override
    public void pairedWeightStep(int rows, int pairs, int out, double[] x, int xOff, int ldx, float[] dzp, int dzOff,
                                 float[] wp, int wpOff, float[] velocity, float gradScale, float learningRate,
                                 float momentum, float weightDecay) {
        long t = System.nanoTime();
        inner.pairedWeightStep(rows, pairs, out, x, xOff, ldx, dzp, dzOff, wp, wpOff, velocity, gradScale,
                learningRate, momentum, weightDecay);
        add(PAIRED_WEIGHT_STEP, t);
    }
}
