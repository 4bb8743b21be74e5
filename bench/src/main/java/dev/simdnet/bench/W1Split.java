package dev.simdnet.bench;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What two threads can get out of the lecture network's first layer (784 x 16, minibatch 100, on
 * 60,000 shuffled random examples of bytes), with nothing of the trainer in the way: a step
 * converts the minibatch's bytes to floats (rows 1040 floats apart), runs the forward pass, spins
 * for a stand-in of the small layers' serial work, takes the fused weight step and touches the
 * next minibatch's bytes. One thread does it all; two threads split it by one of three layouts:
 * <ul>
 * <li>{@code shared}: each thread takes half the inputs (columns), side by side in the rows of
 * one buffer, and sums its half of every weighted input; the caller adds the halves.</li>
 * <li>{@code apart}: the same, with each half's columns in a buffer of its own.</li>
 * <li>{@code rows}: each thread converts and runs forward half the examples; the weight step is
 * split by inputs, so each thread reads half its examples from the other core.</li>
 * </ul>
 * One thread and two take turns, round after round; this prints both medians and the median of
 * the per-round speed-ups, with quartiles. The trainer's first layer in blocks of inputs is laid
 * out as {@code apart}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.simdnet.bench.W1Split apart 100
 * </pre>
 * Arguments: the layout, the number of rounds of 50 steps after 20 of warm-up (default 100), the
 * serial work in microseconds (default 10, about the lecture network's small layers).
 */
public final class W1Split {

    private static final int ROWS = 100;
    private static final int IN = 784;
    private static final int OUT = 16;
    private static final int LD = 1040;
    private static final int EXAMPLES = 60_000;
    private static final int HALF = 392;
    private static final int STEPS = 50;
    private static final int WARMUP = 20;

    private enum Layout { SHARED, APART, ROWS }

    private final Kernels k = KernelProvider.get();
    private final Layout layout;
    private final byte[] bytes = new byte[EXAMPLES * IN];
    private final int[] order;
    /** The minibatch as floats, every column: one thread's, and the shared and rows layouts'. */
    private final float[] x = new float[ROWS * LD];
    /** Each half's columns on their own (apart). */
    private final float[][] halves = {new float[ROWS * LD], new float[ROWS * LD]};
    private final float[] wt = new float[IN * OUT];
    private final float[] dz = new float[ROWS * OUT];
    private final float[] bias = new float[OUT];
    /** The second half's biases: zeros, as the trainer's (a null bias where the tile has seen one is slow). */
    private final float[] zeros = new float[OUT];
    private final float[] z = new float[ROWS * OUT];
    private final float[][] part = {new float[ROWS * OUT], new float[ROWS * OUT]};
    private int step;
    private volatile int sink;

    private W1Split(Layout layout) {
        this.layout = layout;
        SplittableRandom rng = new SplittableRandom(3);
        rng.nextBytes(bytes);
        order = AbTrainSteps.shuffledOrder(EXAMPLES, rng);
        for (int i = 0; i < wt.length; i++) {
            wt[i] = (float) (rng.nextDouble() - 0.5) * 0.1f;
        }
        for (int i = 0; i < dz.length; i++) {
            // Small nudges, so that thousands of steps keep the weights in range.
            dz[i] = (float) (rng.nextDouble() - 0.5) * 1e-4f;
        }
    }

    /** Where example r of step s starts in the bytes. */
    private int source(int s, int r) {
        return order[(s * ROWS + r) % EXAMPLES] * IN;
    }

    private void touch(int s, int r0, int r1, int c0, int c1) {
        int sum = 0;
        for (int r = r0; r < r1; r++) {
            int o = source(s, r);
            for (int c = c0; c < c1; c += 64) {
                sum += bytes[o + c];
            }
            sum += bytes[o + c1 - 1];
        }
        if (sum == Integer.MIN_VALUE) {
            sink = sum;
        }
    }

    /** The whole step's first-layer work on one thread (the serial part is the caller's). */
    private void whole(int s) {
        for (int r = 0; r < ROWS; r++) {
            k.unitFloats(bytes, source(s, r), x, r * LD, IN);
        }
        k.forwardTransposed(ROWS, IN, OUT, x, 0, LD, wt, 0, OUT, bias, 0, z, 0, OUT);
        k.weightStepTransposed(ROWS, IN, OUT, x, 0, LD, dz, 0, OUT, wt, 0, OUT, null, 0.01f, 3f, 0f, 0f);
        touch(s + 1, 0, ROWS, 0, IN);
    }

    /** Thread t's share of step s: the conversion and forward pass (first), or the weight step. */
    private void share(int t, int s, boolean first) {
        int c0 = t * HALF;
        int c1 = t == 0 ? HALF : IN;
        if (layout == Layout.ROWS) {
            int r0 = t * ROWS / 2;
            int r1 = (t + 1) * ROWS / 2;
            if (first) {
                for (int r = r0; r < r1; r++) {
                    k.unitFloats(bytes, source(s, r), x, r * LD, IN);
                }
                k.forwardTransposed(r1 - r0, IN, OUT, x, r0 * LD, LD, wt, 0, OUT, bias, 0, z, r0 * OUT, OUT);
            } else {
                k.weightStepTransposed(ROWS, c1 - c0, OUT, x, c0, LD, dz, 0, OUT, wt, c0 * OUT, OUT, null,
                        0.01f, 3f, 0f, 0f);
                touch(s + 1, r0, r1, 0, IN);
            }
            return;
        }
        float[] a = layout == Layout.APART ? halves[t] : x;
        int a0 = layout == Layout.APART ? 0 : c0;
        if (first) {
            for (int r = 0; r < ROWS; r++) {
                k.unitFloats(bytes, source(s, r) + c0, a, r * LD + a0, c1 - c0);
            }
            k.forwardTransposed(ROWS, c1 - c0, OUT, a, a0, LD, wt, c0 * OUT, OUT, t == 0 ? bias : zeros, 0,
                    part[t], 0, OUT);
        } else {
            k.weightStepTransposed(ROWS, c1 - c0, OUT, a, a0, LD, dz, 0, OUT, wt, c0 * OUT, OUT, null,
                    0.01f, 3f, 0f, 0f);
            touch(s + 1, 0, ROWS, c0, c1);
        }
    }

    private static void spin(long nanos) {
        long t = System.nanoTime();
        while (System.nanoTime() - t < nanos) {
            Thread.onSpinWait();
        }
    }

    public static void main(String[] args) {
        Layout layout = null;
        int rounds = -1;
        int serialMicros = -1;
        try {
            layout = Layout.valueOf(args[0].toUpperCase(Locale.ROOT));
            rounds = args.length > 1 ? Integer.parseInt(args[1]) : 100;
            serialMicros = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        } catch (RuntimeException e) {
            layout = null;
        }
        if (layout == null || rounds < 4 || serialMicros < 0 || args.length > 3) {
            System.err.println("usage: W1Split shared|apart|rows [ROUNDS [SERIAL_US]], ROUNDS at least 4");
            System.exit(2);
        }
        new W1Split(layout).run(rounds, serialMicros * 1000L);
    }

    private void run(int rounds, long serialNanos) {
        // Odd phases convert and go forward, even ones step. The worker reads the step number
        // after seeing the phase open.
        int[] current = new int[1];
        PhaseWorker worker = new PhaseWorker("w1split-worker", ph -> share(1, current[0], ph % 2 == 1));
        double[] one = new double[rounds];
        double[] two = new double[rounds];
        double[] speedup = new double[rounds];
        for (int round = 0; round < WARMUP + rounds; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < STEPS; i++) {
                whole(step++);
                spin(serialNanos);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < STEPS; i++) {
                current[0] = step;
                for (int kind = 0; kind < 2; kind++) {
                    worker.open();
                    share(0, step, kind == 0);
                    worker.await();
                    if (kind == 0) {
                        if (layout != Layout.ROWS) {
                            for (int j = 0; j < ROWS * OUT; j++) {
                                z[j] = part[0][j] + part[1][j];
                            }
                        }
                        spin(serialNanos);
                    }
                }
                step++;
            }
            long t2 = System.nanoTime();
            if (round >= WARMUP) {
                one[round - WARMUP] = (t1 - t0) / 1e3 / STEPS;
                two[round - WARMUP] = (t2 - t1) / 1e3 / STEPS;
                speedup[round - WARMUP] = one[round - WARMUP] / two[round - WARMUP];
            }
        }
        worker.close();
        double[] q1 = AbTrainSteps.quartiles(one);
        double[] q2 = AbTrainSteps.quartiles(two);
        double[] qs = AbTrainSteps.quartiles(speedup);
        System.out.printf(Locale.ROOT, "%s, %s, %d rounds of %d steps, %.0f us of serial work a step%n",
                k.name(), layout.name().toLowerCase(Locale.ROOT), rounds, STEPS, serialNanos / 1e3);
        System.out.printf(Locale.ROOT, "1 thread:  median %.1f us a step (quartiles %.1f-%.1f)%n", q1[1], q1[0], q1[2]);
        System.out.printf(Locale.ROOT, "2 threads: median %.1f us a step (quartiles %.1f-%.1f)%n", q2[1], q2[0], q2[2]);
        System.out.printf(Locale.ROOT, "speed-up of 2 threads, per round: median %.2f (quartiles %.2f-%.2f)%n",
                qs[1], qs[0], qs[2]);
    }
}
