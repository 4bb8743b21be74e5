package dev.simdnet.bench;

import dev.simdnet.core.Dataset;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.TrainingConfig;
import dev.simdnet.core.kernels.KernelProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where a training step's time goes, kernel by kernel: trains a workload through
 * {@link TimedKernels}, warms up until the JIT is quiet, then prints for each kernel its
 * microseconds and calls a step, and what the step spends outside the kernels (the trainer's own
 * loops, waiting for threads, and the timing itself).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.simdnet.bench.StepProfile \
 *     W1 1 ../shared/data/fashion-mnist 5
 * </pre>
 * Arguments: workload (W1-W4), threads, a folder holding an MNIST-style dataset's four IDX files
 * (or {@code -} for 60,000 random images), and epochs to time after the warm-up (each as many
 * minibatches of 100 as the training set holds, 600 for Fashion-MNIST's). On more than one thread
 * a kernel's time is summed over the threads, and the shares are of the threads' time in all
 * (threads x step): what is left outside the kernels then includes the threads' waiting.
 */
public final class StepProfile {

    private static final int BATCH = 100;

    private StepProfile() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: StepProfile W1|W2|W3|W4 THREADS DATA_DIR|- EPOCHS");
            System.exit(2);
        }
        try {
            run(Workload.named(args[0]), Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("StepProfile: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(Workload w, int threads, String data, int epochs) throws Exception {
        if (threads < 1 || epochs < 1) {
            throw new IllegalArgumentException("threads and epochs must be positive");
        }
        AbTrainSteps.Examples examples = AbTrainSteps.Examples.load(data);
        Dataset train = Dataset.ofBytes("profile", examples.pixels(), examples.labels(), 28, 28, 10);
        int perEpoch = train.size() / BATCH;
        if (perEpoch == 0) {
            throw new IllegalArgumentException(data + ": fewer than " + BATCH + " training examples");
        }
        TimedKernels k = new TimedKernels(KernelProvider.get());
        Network net = Network.create(w.layers(), w.hidden(), w.cost(), 1);
        TrainingConfig config = new TrainingConfig(BATCH, w.learningRate(), 1, 1, true, w.momentum(), 0f);
        SplittableRandom rng = new SplittableRandom(5);
        try (Trainer trainer = new Trainer(net, BATCH, k, threads)) {
            AbTrainSteps.WarmUp warm = AbTrainSteps.warmUpUntilQuiet(100,
                    () -> epoch(trainer, train, perEpoch, config, rng));
            k.reset();
            long start = System.nanoTime();
            for (int e = 0; e < epochs; e++) {
                epoch(trainer, train, perEpoch, config, rng);
            }
            double steps = (double) epochs * perEpoch;
            double stepUs = (System.nanoTime() - start) / 1e3 / steps;
            System.out.printf("%s, %d thread(s), kernels %s: %d epochs of %d steps after %s; %.1f us a "
                    + "step, %.3f s an epoch%n", w, threads, k.inner().name(), epochs, perEpoch, warm, stepUs,
                    stepUs * perEpoch / 1e6);
            System.out.println();
            System.out.println("| kernel | us a step | share | calls a step |");
            System.out.println("| --- | ---: | ---: | ---: |");
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < TimedKernels.KERNELS.size(); i++) {
                if (k.calls(i) > 0) {
                    order.add(i);
                }
            }
            order.sort((a, b) -> Long.compare(k.nanos(b), k.nanos(a)));
            double inKernels = 0;
            double threadUs = threads * stepUs; // the threads' time in all, a step
            for (int i : order) {
                double us = k.nanos(i) / 1e3 / steps;
                inKernels += us;
                System.out.printf("| %s | %.2f | %.0f%% | %.1f |%n", TimedKernels.KERNELS.get(i), us,
                        100 * us / threadUs, k.calls(i) / steps);
            }
            System.out.printf("| (outside the kernels%s) | %.2f | %.0f%% | |%n",
                    threads > 1 ? ", waiting included, over all threads" : "", threadUs - inKernels,
                    100 * (threadUs - inKernels) / threadUs);
        }
    }

    /** One epoch's steps, in a newly shuffled order, as the trainer's own loop takes them. */
    private static void epoch(Trainer trainer, Dataset train, int steps, TrainingConfig config,
                              SplittableRandom rng) {
        int[] order = AbTrainSteps.shuffledOrder(train.size(), rng);
        for (int s = 0; s < steps; s++) {
            trainer.updateMiniBatch(train, order, s * BATCH, BATCH, config);
        }
    }
}
