package dev.simdnet.bench;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matrix products of training, scalar against vector, on the minibatch shapes of real
 * networks. Each benchmark counts the floating-point operations it does (2 per multiply-add) in the
 * secondary result {@code flops}; the time unit is the nanosecond, so that column reads directly in
 * GFLOP/s.
 *
 * <p>{@code shape} is {@code IN x OUT} of one layer, over a minibatch of {@code batch} rows:
 * forward {@code Z (B, OUT) = A (B, IN) W^T}, weight gradient {@code dW (OUT, IN) = dZ^T A} (the
 * overwriting variant the trainer calls), input
 * gradient {@code dA (B, IN) = dZ W}: {@code 2 * B * IN * OUT} flops each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector", jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {

    @Param({"784x16", "16x16", "16x10", "784x128", "128x10", "784x800", "800x10", "1024x1024"})
    public String shape;

    @Param({"scalar", "vector"})
    public String impl;

    @Param({"100"})
    public int batch;

    private Kernels kernels;
    private int in;
    private int out;
    private long flopsPerCall;
    private float[] a;
    private float[] w;
    private float[] b;
    private float[] z;
    private float[] dz;
    private float[] dw;
    private float[] da;
    private float[] velocity;
    /**
     * A, WT and dZ in the paired layout of Kernels (IN is even in every shape here), A cut as the
     * trainer cuts a first layer: blocks of up to {@link #BLOCK_PAIRS} pairs (400 inputs), block
     * k's matrix at {@code k * batch * pairLd}, its rows pairLd apart, the kernels' choice.
     */
    private double[] xp;
    private int pairLd;
    private float[] wp;
    private float[] dzp;
    /** Each block's part of Z (the first with the bias): the trainer adds them up afterwards. */
    private float[][] zp;

    private static final int BLOCK_PAIRS = 200;

    /** Floating-point operations, reported per nanosecond: GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flops;

        @Setup(Level.Iteration)
        public void reset() {
            flops = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("x");
        in = Integer.parseInt(parts[0]);
        out = Integer.parseInt(parts[1]);
        flopsPerCall = 2L * batch * in * out;
        SplittableRandom rng = new SplittableRandom(42);
        a = random(rng, batch * in);
        w = random(rng, out * in);
        b = random(rng, out);
        dz = random(rng, batch * out);
        z = new float[batch * out];
        dw = new float[out * in];
        da = new float[batch * in];
        velocity = new float[out * in];
        Kernels scalar = KernelProvider.scalar();
        Kernels vector = KernelProvider.vector().orElseThrow(() ->
                new IllegalStateException("no vector kernels: " + KernelProvider.reason()));
        kernels = impl.equals("scalar") ? scalar : vector;
        int blocks = (in / 2 + BLOCK_PAIRS - 1) / BLOCK_PAIRS;
        pairLd = kernels.pairedLeadingDimension(Math.min(BLOCK_PAIRS, in / 2));
        xp = new double[blocks * batch * pairLd];
        for (int r = 0; r < batch; r++) {
            for (int p = 0; p < in / 2; p++) {
                xp[blockOffset(p) + r * pairLd + p % BLOCK_PAIRS] =
                        Kernels.pairOf(a[r * in + 2 * p], a[r * in + 2 * p + 1]);
            }
        }
        zp = new float[blocks][batch * out];
        wp = new float[in * out];
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < out; j++) {
                wp[2 * ((k / 2) * out + j) + (k & 1)] = w[k * out + j];
            }
        }
        dzp = new float[2 * dz.length];
        for (int i = 0; i < dz.length; i++) {
            dzp[2 * i] = dz[i];
            dzp[2 * i + 1] = dz[i];
        }
        checkAgreement(scalar, vector);
    }

    /** Nothing is timed unless both implementations give the same products on this shape. */
    private void checkAgreement(Kernels scalar, Kernels vector) {
        float[] zs = new float[z.length], zv = new float[z.length];
        scalar.forward(batch, in, out, a, 0, in, w, 0, in, b, 0, zs, 0, out);
        vector.forward(batch, in, out, a, 0, in, w, 0, in, b, 0, zv, 0, out);
        compare("forward", zs, zv, in);
        float[] ws = new float[dw.length], wv = new float[dw.length];
        scalar.weightGradient(batch, in, out, dz, 0, out, a, 0, in, ws, 0, in);
        vector.weightGradient(batch, in, out, dz, 0, out, a, 0, in, wv, 0, in);
        compare("weight gradient", ws, wv, batch);
        float[] as = new float[da.length], av = new float[da.length];
        scalar.inputGradient(batch, in, out, dz, 0, out, w, 0, in, as, 0, in);
        vector.inputGradient(batch, in, out, dz, 0, out, w, 0, in, av, 0, in);
        compare("input gradient", as, av, out);
        // The transposed layout the trainer keeps: w read as WT (in, out).
        scalar.forwardTransposed(batch, in, out, a, 0, in, w, 0, out, b, 0, zs, 0, out);
        vector.forwardTransposed(batch, in, out, a, 0, in, w, 0, out, b, 0, zv, 0, out);
        compare("forward (W^T)", zs, zv, in);
        scalar.weightGradientTransposed(batch, in, out, a, 0, in, dz, 0, out, ws, 0, out);
        vector.weightGradientTransposed(batch, in, out, a, 0, in, dz, 0, out, wv, 0, out);
        compare("weight gradient (W^T)", ws, wv, batch);
        // The paired layout, block by block: the same products as the transposed ones, w read as WT.
        pairedForward(vector);
        Arrays.fill(zv, 0f);
        for (float[] part : zp) {
            for (int i = 0; i < zv.length; i++) {
                zv[i] += part[i];
            }
        }
        compare("paired forward", zs, zv, in);
        float[] wpv = new float[wp.length];
        for (int p0 = 0; p0 < in / 2; p0 += BLOCK_PAIRS) {
            vector.pairedWeightGradient(batch, Math.min(BLOCK_PAIRS, in / 2 - p0), out, xp, blockOffset(p0), pairLd,
                    dzp, 0, wpv, 2 * p0 * out);
        }
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < out; j++) {
                wv[k * out + j] = wpv[2 * ((k / 2) * out + j) + (k & 1)];
            }
        }
        compare("paired weight gradient", ws, wv, batch);
    }

    private void compare(String what, float[] expected, float[] actual, int depth) {
        // Inputs are in [-1, 1]: each sum of `depth` products is off by at most depth^2 * eps
        // in the worst case; this tolerance is far looser than any real disagreement's size.
        double tol = 4.0 * depth * Math.ulp(1f) * Math.sqrt(depth) + 1e-6;
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
                throw new IllegalStateException(what + " " + shape + ": scalar " + expected[i] + " and vector "
                        + actual[i] + " disagree at " + i + "; not benchmarking wrong kernels");
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    @Benchmark
    public float[] forward(Flops f) {
        kernels.forward(batch, in, out, a, 0, in, w, 0, in, b, 0, z, 0, out);
        f.flops += flopsPerCall;
        return z;
    }

    @Benchmark
    public float[] weightGradient(Flops f) {
        kernels.weightGradient(batch, in, out, dz, 0, out, a, 0, in, dw, 0, in);
        f.flops += flopsPerCall;
        return dw;
    }

    @Benchmark
    public float[] inputGradient(Flops f) {
        kernels.inputGradient(batch, in, out, dz, 0, out, w, 0, in, da, 0, in);
        f.flops += flopsPerCall;
        return da;
    }

    // The transposed layout the trainer trains with: WT (in, out), so that the forward pass and the
    // weight gradient both run their vectors along the output neurons.

    @Benchmark
    public float[] forwardTransposed(Flops f) {
        kernels.forwardTransposed(batch, in, out, a, 0, in, w, 0, out, b, 0, z, 0, out);
        f.flops += flopsPerCall;
        return z;
    }

    @Benchmark
    public float[] weightGradientTransposed(Flops f) {
        kernels.weightGradientTransposed(batch, in, out, a, 0, in, dz, 0, out, dw, 0, out);
        f.flops += flopsPerCall;
        return dw;
    }

    /** The weight gradient fused with the step of SGD with momentum, as the trainer runs it. */
    @Benchmark
    public float[] weightStepTransposed(Flops f) {
        kernels.weightStepTransposed(batch, in, out, a, 0, in, dz, 0, out, w, 0, out, velocity,
                0.01f, 1e-4f, 0.9f, 0f);
        f.flops += flopsPerCall;
        return w;
    }

    // The paired layout (Kernels), which the trainer takes for a first layer exactly one vector
    // wide: 784x16 at 512 bits, in blocks of 400 inputs as the trainer runs it (without adding up
    // the blocks' parts of Z, a separate pass of 100 x 16 adds). On other shapes (and with the
    // scalar kernels) these run the plain loops of Kernels' default methods.

    @Benchmark
    public float[][] pairedForward(Flops f) {
        pairedForward(kernels);
        f.flops += flopsPerCall;
        return zp;
    }

    private void pairedForward(Kernels with) {
        for (int p0 = 0; p0 < in / 2; p0 += BLOCK_PAIRS) {
            with.pairedForward(batch, Math.min(BLOCK_PAIRS, in / 2 - p0), out, xp, blockOffset(p0), pairLd, wp,
                    2 * p0 * out, p0 == 0 ? b : null, 0, zp[p0 / BLOCK_PAIRS], 0, out);
        }
    }

    /** Where the block of XP starting at pair p0 is. */
    private int blockOffset(int p0) {
        return p0 / BLOCK_PAIRS * batch * pairLd;
    }

    /** The paired weight gradient fused with the step of SGD with momentum. */
    @Benchmark
    public float[] pairedWeightStep(Flops f) {
        for (int p0 = 0; p0 < in / 2; p0 += BLOCK_PAIRS) {
            kernels.pairedWeightStep(batch, Math.min(BLOCK_PAIRS, in / 2 - p0), out, xp, blockOffset(p0), pairLd,
                    dzp, 0, wp, 2 * p0 * out, velocity, 0.01f, 1e-4f, 0.9f, 0f);
        }
        f.flops += flopsPerCall;
        return wp;
    }
}
