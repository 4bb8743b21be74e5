package dev.simdnet.bench;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What two threads can get on this machine out of W3's first layer, with nothing of the trainer
 * in the way: the fused weight step, then the forward pass, on a minibatch of 100 over 784 inputs
 * and 768 neurons (16 panels of 48, as the trainer stores them), run by one thread, then split
 * into two halves of 8 panels, one per thread, each writing only its own weights and outputs,
 * with a spin barrier between the two passes. The two take turns, round after round, and this
 * prints both medians and the median of the per-round speed-ups, with quartiles. The trainer's
 * own scaling ({@code AbTrainSteps W3 1 ... core@1 core@2}) is to be read against it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.simdnet.bench.ThreadScaling 60
 * </pre>
 * The argument is the number of rounds after 10 of warm-up (default 60).
 */
public final class ThreadScaling {

    private static final int ROWS = 100;
    private static final int IN = 784;
    private static final int PANEL = 48;
    private static final int PANELS = 16;
    private static final int OUT = PANEL * PANELS;
    private static final int REPS = 3;
    private static final int WARMUP = 10;

    private final Kernels k = KernelProvider.get();
    private final float[] x = new float[ROWS * IN];
    private final float[] dz = new float[ROWS * OUT];
    private final float[] wt = new float[IN * OUT];
    private final float[] velocity = new float[IN * OUT];
    private final float[] bias = new float[OUT];
    private final float[] z = new float[ROWS * OUT];

    private ThreadScaling() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        for (int i = 0; i < wt.length; i++) {
            wt[i] = (float) (rng.nextDouble() - 0.5) * 0.1f;
        }
        for (int i = 0; i < dz.length; i++) {
            // Small nudges, so that thousands of steps keep the weights in range.
            dz[i] = (float) (rng.nextDouble() - 0.5) * 1e-4f;
        }
    }

    /** Panels [p0, p1): their weight step, or their forward pass. */
    private void pass(int p0, int p1, boolean step) {
        for (int p = p0; p < p1; p++) {
            int w0 = p * PANEL * IN;
            if (step) {
                k.weightStepTransposed(ROWS, IN, PANEL, x, 0, IN, dz, p * PANEL, OUT, wt, w0, PANEL, velocity,
                        0.01f, 0.05f, 0.9f, 0f);
            } else {
                k.forwardTransposed(ROWS, IN, PANEL, x, 0, IN, wt, w0, PANEL, bias, p * PANEL, z, p * PANEL, OUT);
            }
        }
    }

    public static void main(String[] args) {
        int rounds = 60;
        try {
            rounds = args.length > 0 ? Integer.parseInt(args[0]) : rounds;
        } catch (NumberFormatException e) {
            rounds = -1;
        }
        if (rounds < 4) {
            System.err.println("usage: ThreadScaling [ROUNDS], ROUNDS at least 4");
            System.exit(2);
        }
        new ThreadScaling().run(rounds);
    }

    private void run(int rounds) {
        // Odd phases step, even ones go forward.
        PhaseWorker worker = new PhaseWorker("scaling-worker", ph -> pass(PANELS / 2, PANELS, ph % 2 == 1));
        double[] one = new double[rounds];
        double[] two = new double[rounds];
        double[] speedup = new double[rounds];
        for (int round = 0; round < WARMUP + rounds; round++) {
            long t0 = System.nanoTime();
            for (int rep = 0; rep < REPS; rep++) {
                pass(0, PANELS, true);
                pass(0, PANELS, false);
            }
            long t1 = System.nanoTime();
            for (int rep = 0; rep < REPS; rep++) {
                for (int kind = 0; kind < 2; kind++) {
                    worker.open();
                    pass(0, PANELS / 2, kind == 0);
                    worker.await();
                }
            }
            long t2 = System.nanoTime();
            if (round >= WARMUP) {
                double a = (t1 - t0) / 1e3 / REPS;
                double b = (t2 - t1) / 1e3 / REPS;
                one[round - WARMUP] = a;
                two[round - WARMUP] = b;
                speedup[round - WARMUP] = a / b;
            }
        }
        worker.close();
        double macs = 2.0 * ROWS * IN * OUT;
        System.out.printf(Locale.ROOT, "%s, %d rounds: W3's first layer (784 x 768, minibatch 100), weight step + forward%n",
                k.name(), rounds);
        double[] q1 = AbTrainSteps.quartiles(one);
        double[] q2 = AbTrainSteps.quartiles(two);
        double[] qs = AbTrainSteps.quartiles(speedup);
        System.out.printf(Locale.ROOT, "1 thread:  median %.0f us (quartiles %.0f-%.0f), %.0f GFLOP/s%n",
                q1[1], q1[0], q1[2], 2 * macs / q1[1] / 1e3);
        System.out.printf(Locale.ROOT, "2 threads: median %.0f us (quartiles %.0f-%.0f), %.0f GFLOP/s%n",
                q2[1], q2[0], q2[2], 2 * macs / q2[1] / 1e3);
        System.out.printf(Locale.ROOT, "speed-up of 2 threads, per round: median %.2f (quartiles %.2f-%.2f)%n",
                qs[1], qs[0], qs[2]);
    }
}
