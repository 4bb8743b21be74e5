package dev.simdnet.bench;

import dev.simdnet.core.Dataset;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.TrainingConfig;
import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.data.MnistFormat;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A/B timing of training steps: two (or more) builds of core in one JVM, each through its own
 * class loader, taking turns at blocks of steps on the same data. On a machine whose speed drifts
 * by 2x within minutes, the ratio of two builds' times in the same few seconds is steadier than
 * either time: this prints each build's median time per step and the median of the per-round
 * ratios to the first build, with quartiles.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.simdnet.bench.AbTrainSteps \
 *     W1 1 50 60 ../shared/data/fashion-mnist /tmp/old/core/target/classes core/target/classes
 * </pre>
 * Arguments: workload (W1-W4), threads, steps per block, rounds (after a warm-up of at least 3
 * rounds, until the JIT has compiled under 5 ms in each of 3 rounds in a row), a folder
 * holding an MNIST-style dataset's four IDX files, read by data-tools' {@link MnistFormat} (or
 * {@code -} for 60,000 random examples), then one class folder (or jar) of core per build. A build written
 * {@code FOLDER@N} runs on N threads instead: {@code core/target/classes@1 core/target/classes@2}
 * times one build on one and two threads, and the ratio is its scaling. The trainers' JIT watch
 * is turned off (see {@code Driver.steadyState}): the steps timed are those of a JIT that is done.
 */
public final class AbTrainSteps {

    /** Warm-up rounds: at least this many, then until QUIET_ROUNDS in a row compiled under QUIET_MS. */
    private static final int MIN_WARM_UP = 3;
    private static final int QUIET_ROUNDS = 3;
    private static final long QUIET_MS = 5;
    /** The most warm-up rounds, for a JIT that never goes quiet. */
    private static final int MAX_WARM_UP = 400;

    private AbTrainSteps() {
    }

    /** 0 .. n-1 in an order shuffled by rng (Fisher-Yates), for the bench tools' minibatches. */
    static int[] shuffledOrder(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** One build's trainer, stepping through shuffled minibatches of 100; loaded once per build. */
    public static final class Driver {
        private final Trainer trainer;
        private final Dataset data;
        private final TrainingConfig config;
        private final int[] order;
        private final SplittableRandom rng = new SplittableRandom(5);
        private int from;

        public Driver(byte[] pixels, int[] labels, String workload, int threads) {
            Workload w = Workload.named(workload);
            data = Dataset.ofBytes("ab", pixels, labels, 28, 28, 10);
            Network net = Network.create(w.layers(), w.hidden(), w.cost(), 1);
            trainer = new Trainer(net, 100, KernelProvider.get(), threads);
            steadyState(trainer);
            config = new TrainingConfig(100, w.learningRate(), 1, 1, true, w.momentum(), 0f);
            order = new int[data.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            shuffle();
        }

        /**
         * Turns off the trainer's JIT watch (Trainer.JitWatch: a small step's first layer on the
         * caller alone while the JIT compiles), where the build has one: this JVM compiles two
         * builds at once, and the steps timed here are meant to be those after the JIT is done.
         */
        private static void steadyState(Trainer trainer) {
            try {
                java.lang.reflect.Field f = Trainer.class.getDeclaredField("yieldToJit");
                f.setAccessible(true);
                f.setBoolean(trainer, false);
            } catch (NoSuchFieldException e) {
                // An older build: nothing to turn off.
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot turn off the JIT watch: " + e, e);
            }
        }

        private void shuffle() {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }

        /** Seconds per step over the next {@code steps} minibatches. */
        public double steps(int steps) {
            long start = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                if (from + 100 > order.length) {
                    from = 0;
                    shuffle();
                }
                trainer.updateMiniBatch(data, order, from, 100, config);
                from += 100;
            }
            return (System.nanoTime() - start) / 1e9 / steps;
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException | IOException e) {
            // Bad arguments or data (a NumberFormatException is an IllegalArgumentException): one line.
            System.err.println("AbTrainSteps: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: AbTrainSteps W1|W2|W3|W4 THREADS STEPS_PER_BLOCK ROUNDS DATA_DIR|- CORE_CLASSES...");
            System.exit(2);
        }
        String workload = args[0];
        Workload.named(workload);
        int threads = Integer.parseInt(args[1]);
        int block = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        if (threads < 1 || block < 1 || rounds < 4) {
            throw new IllegalArgumentException("threads and steps must be positive, rounds at least 4");
        }
        Examples examples = Examples.load(args[4]);
        byte[] pixels = examples.pixels();
        int[] labels = examples.labels();
        // Each build gets its own loader over its core and this class's folder (core first: a
        // shaded jar holds a core of its own), with no parent but the platform's: its own
        // Driver, Workload and core classes, JIT-compiled separately.
        URL self = AbTrainSteps.class.getProtectionDomain().getCodeSource().getLocation();
        List<Object> drivers = new ArrayList<>();
        List<Method> steps = new ArrayList<>();
        int[] buildThreads = new int[args.length - 5];
        for (int i = 5; i < args.length; i++) {
            String arg = args[i];
            buildThreads[i - 5] = threads;
            int at = arg.lastIndexOf('@');
            if (at > 0) {
                buildThreads[i - 5] = Integer.parseInt(arg.substring(at + 1));
                if (buildThreads[i - 5] < 1) {
                    throw new IllegalArgumentException("threads must be positive: " + arg);
                }
                arg = arg.substring(0, at);
            }
            Path core = Path.of(arg);
            if (!Files.exists(core)) {
                throw new IOException("no such build: " + core);
            }
            URLClassLoader loader = new URLClassLoader(new URL[] {core.toUri().toURL(), self},
                    ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass(Driver.class.getName());
            drivers.add(c.getConstructor(byte[].class, int[].class, String.class, int.class)
                    .newInstance(pixels, labels, workload, buildThreads[i - 5]));
            steps.add(c.getMethod("steps", int.class));
        }
        int builds = drivers.size();
        // Warm-up: rounds until the JIT is quiet, so that no build is timed while C2 compiles it
        // (or the other): on two threads of a two-core machine the compiler's thread takes one of
        // their cores, and the build it happens to be compiling loses (one build against itself
        // gave a ratio of 1.75 after the 3 rounds that were the warm-up before).
        WarmUp warm = warmUpUntilQuiet(MAX_WARM_UP, () -> {
            for (int b = 0; b < builds; b++) {
                steps.get(b).invoke(drivers.get(b), block);
            }
        });
        double[][] t = new double[builds][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int b = 0; b < builds; b++) {
                t[b][r] = (double) steps.get(b).invoke(drivers.get(b), block);
            }
        }
        System.out.printf("%s, %d rounds of %d steps per build, after %s%n", workload, rounds, block, warm);
        for (int b = 0; b < builds; b++) {
            double[] q = quartiles(t[b]);
            System.out.printf("build %d (%s, %d thread(s)): median %.1f us a step (quartiles %.1f-%.1f), %.3f s an epoch of 600%n",
                    b, args[5 + b], buildThreads[b], q[1] * 1e6, q[0] * 1e6, q[2] * 1e6, q[1] * 600);
        }
        for (int b = 1; b < builds; b++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = t[b][r] / t[0][r];
            }
            double[] q = quartiles(ratio);
            System.out.printf("build %d / build 0: median ratio %.3f (quartiles %.3f-%.3f)%n", b, q[1], q[0], q[2]);
        }
    }

    /** One round of a warm-up. */
    interface Round {
        void run() throws Exception;
    }

    /** How a warm-up went: its rounds, and whether the JIT was quiet at its end (null: cannot tell). */
    record WarmUp(int rounds, Boolean quiet) {
        @Override
        public String toString() {
            return rounds + " of warm-up" + (quiet == null ? " (this JVM does not tell its compilation time)"
                    : quiet ? " (until the JIT was quiet)" : " (the JIT was still compiling)");
        }
    }

    /**
     * Runs {@code round} at least {@link #MIN_WARM_UP} times, then until {@link #QUIET_ROUNDS} in a
     * row compiled under {@link #QUIET_MS} (or {@code maxRounds} in all), so that what is timed
     * afterwards runs code the JIT is done with: on two threads of a two-core machine its
     * compiler's thread otherwise takes one of their cores.
     */
    static WarmUp warmUpUntilQuiet(int maxRounds, Round round) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean canTell = jit != null && jit.isCompilationTimeMonitoringSupported();
        int warm = 0;
        int quietRounds = 0;
        while (warm < MIN_WARM_UP || (canTell && quietRounds < QUIET_ROUNDS && warm < maxRounds)) {
            long before = canTell ? jit.getTotalCompilationTime() : 0;
            round.run();
            long compiledMs = canTell ? jit.getTotalCompilationTime() - before : 0;
            quietRounds = compiledMs < QUIET_MS ? quietRounds + 1 : 0;
            warm++;
        }
        return new WarmUp(warm, canTell ? quietRounds >= QUIET_ROUNDS : null);
    }

    /** A training set of 28x28 images as bytes, for the bench tools. */
    record Examples(byte[] pixels, int[] labels) {

        /**
         * The training set of the MNIST-style dataset in folder {@code dirOrDash} (its four IDX
         * files, read by data-tools' {@link MnistFormat}), or for {@code -} 60,000 random images
         * (three pixels in five black, as in real digits) with random labels.
         */
        static Examples load(String dirOrDash) throws IOException {
            if (dirOrDash.equals("-")) {
                SplittableRandom rng = new SplittableRandom(3);
                byte[] pixels = new byte[60_000 * 784];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = rng.nextInt(5) < 3 ? 0 : (byte) rng.nextInt(256);
                }
                return new Examples(pixels, rng.ints(60_000, 0, 10).toArray());
            }
            Dataset train = MnistFormat.load("data", Path.of(dirOrDash)).train();
            if (train.inputSize() != 784 || train.bytePixels() == null) {
                throw new IOException(dirOrDash + ": not 28x28 images stored as bytes");
            }
            return new Examples(train.bytePixels(), train.labels());
        }
    }

    /** The first quartile, the median and the third quartile of x (ThreadScaling's too). */
    static double[] quartiles(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return new double[] {s[s.length / 4], s[s.length / 2], s[3 * s.length / 4]};
    }
}
