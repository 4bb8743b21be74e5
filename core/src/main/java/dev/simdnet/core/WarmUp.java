package dev.simdnet.core;

import dev.simdnet.core.kernels.KernelProvider;
import java.util.SplittableRandom;

/**
 * Training steps of a throwaway network on random pixels, on a thread of its own, while the caller
 * does something else: the command line loads the data meanwhile. A JVM spends the start of any
 * training run loading, linking and compiling the kernels, which run interpreted and then without
 * their vector instructions until C2 has compiled them: the lecture network's first epoch took
 * 1.5-2.4 s where the later ones take 0.05 s. Steps of a network of the same sizes, recipe and
 * minibatch size take the same code paths (the same tiles, layouts and conversions), so that part
 * of that work is done by the time the real trainer starts, on a core that loading the data leaves
 * idle. (Ten epochs of the lecture network on Fashion-MNIST, one thread, JDK 25, four runs each:
 * training 2.3-2.7 s with the warm-up, 2.8-3.4 s without; the whole command 4.0-4.1 s against
 * 4.0-4.7 s, loading being slower beside it.)
 *
 * <p>It changes no result: the network, the pixels and the trainer are its own, and the kernels keep
 * no state. Networks up to about 784-128-10 are warmed up as they are; larger ones, whose steps
 * run interpreted would take longer than loading the data, on narrower hidden layers that take
 * the same code paths ({@link #sizesFor}). All on Fashion-MNIST, JDK 25, runs alternating with
 * {@code -Dsimdnet.warmUp=false}, first epoch with and without:
 * <ul>
 * <li>784-128-10 (W2 of BENCHMARKS.md), three runs each: 1.6-2.1 s against 2.4-2.6 s on one thread,
 * 1.5-2.0 s against 3.1-3.3 s on two; the whole four-epoch command 4.4-5.1 s against 4.6-5.3 s,
 * and 4.0-4.3 s against 5.1-5.6 s.
 * <li>784-800-10 (W3), warmed up as 784-80-10: on two threads, medians of seven runs 3.7 s
 * (3.5-4.3) against 4.8 s (4.0-5.3); on one, 3.1-4.6 s against 4.2-5.7 s (three runs).
 * <li>784-1024-1024-10 (W4), as 784-64-64-10, two threads: medians of six runs 5.7 s (5.1-7.7)
 * against 7.0 s (5.9-8.3); the next two epochs were no slower.
 * </ul>
 * Loading is slower beside the warm-up, so the whole command gains less than the first epoch.
 */
public final class WarmUp implements AutoCloseable {

    /**
     * The most multiply-adds in the forward pass of one minibatch of the network the warm-up
     * trains: 2^24. 784-128-10 on minibatches of 100 (10 million) is warmed up as it is, 784-800-10
     * (63 million) narrowed.
     */
    static final long MAX_FORWARD_WORK = 1L << 24;

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private WarmUp(int[] sizes, Activation hidden, Cost cost, TrainingConfig config) {
        thread = new Thread(() -> run(sizes, hidden, cost, config), "simdnet-warm-up");
        thread.setDaemon(true);
        // Below the caller's priority, where the scheduler heeds it: the warm-up is worth only the
        // core that would otherwise be idle.
        thread.setPriority(Thread.NORM_PRIORITY - 1);
    }

    /**
     * Starts warming up for training a network of {@code sizes} with {@code config} (its minibatch
     * size, momentum and weight decay choose the code paths): on the network {@link #sizesFor}
     * gives, and nothing where it gives none, on a single core (where it would only slow the
     * caller down), or with {@code -Dsimdnet.warmUp=false}. Close it before training: that stops it
     * after the step under way.
     */
    public static WarmUp start(int[] sizes, Activation hidden, Cost cost, TrainingConfig config) {
        int[] warm = sizesFor(sizes, config.batchSize());
        WarmUp w = new WarmUp(warm, hidden, cost, config);
        if (warm != null && Runtime.getRuntime().availableProcessors() > 1
                && !"false".equals(System.getProperty("simdnet.warmUp"))) {
            w.thread.start();
        }
        return w;
    }

    /**
     * The sizes of the network the warm-up trains for a network of {@code sizes} on minibatches of
     * {@code batch}, or null for none. Up to {@link #MAX_FORWARD_WORK} multiply-adds a forward
     * pass, the same sizes. Beyond, each hidden layer wider than two of the trainer's panels of
     * neurons ({@link Trainer#PANEL}) is narrowed to one whole panel and its last one (800 to 48 +
     * 32, 1024 to 48 + 16): the same kernels and tiles, the same partial vector at its end, and
     * passes shared into tasks as the real network's are (a step of at least
     * {@link Trainer#MIN_PARALLEL_STEP}), on a fraction of the work. None where that is still too
     * much, or too little to take the same paths.
     */
    static int[] sizesFor(int[] sizes, int batch) {
        if (forwardWork(sizes, batch) <= MAX_FORWARD_WORK) {
            return sizes.clone();
        }
        int[] narrow = sizes.clone();
        for (int l = 1; l + 1 < narrow.length; l++) {
            if (narrow[l] > 2 * Trainer.PANEL) {
                int last = narrow[l] % Trainer.PANEL;
                narrow[l] = Trainer.PANEL + (last == 0 ? Trainer.PANEL : last);
            }
        }
        long work = forwardWork(narrow, batch);
        return work <= MAX_FORWARD_WORK && work >= Trainer.MIN_PARALLEL_STEP ? narrow : null;
    }

    /** Multiply-adds in the forward pass of a minibatch of {@code batch} through {@code sizes}. */
    private static long forwardWork(int[] sizes, int batch) {
        long work = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            work += (long) sizes[l] * sizes[l + 1];
        }
        return work * batch;
    }

    private void run(int[] sizes, Activation hidden, Cost cost, TrainingConfig config) {
        int batch = config.batchSize();
        int in = sizes[0], classes = sizes[sizes.length - 1];
        int n = 2 * batch; // so that each step also touches a next minibatch
        SplittableRandom rng = new SplittableRandom(1);
        byte[] pixels = new byte[Math.multiplyExact(n, in)];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        int[] labels = new int[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
            order[i] = i;
        }
        Dataset data = Dataset.ofBytes("warm-up", pixels, labels, 1, in, classes);
        Network net = Network.create(sizes, hidden, cost, 1);
        try (Trainer trainer = new Trainer(net, batch, KernelProvider.get(), 1)) {
            trainer.yieldToJit = false;
            while (!stop) {
                trainer.updateMiniBatch(data, order, 0, batch, config);
                trainer.updateMiniBatch(data, order, batch, batch, config);
                steps += 2;
                if (!stop && steps % 8 == 2) {
                    trainer.accuracy(data); // the evaluation after each epoch
                }
            }
        } catch (RuntimeException e) {
            // Nothing to report: the warm-up only saves time, and anything amiss here happens
            // again, with the caller's own data and a proper message, when it trains.
        }
    }

    /** Whether its thread is running. */
    boolean running() {
        return thread.isAlive();
    }

    /** Training steps taken so far. */
    int steps() {
        return steps;
    }

    /** Stops the warm-up after the step under way and waits for it. */
    @Override
    public void close() {
        stop = true;
        if (thread.isAlive()) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
