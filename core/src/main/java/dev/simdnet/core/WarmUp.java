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
 * no state. Only networks up to about 784-128-10 are warmed up, where those first seconds are much
 * of the run; a step of a larger one, run interpreted, would take longer than loading the data
 * (for those, {@link #start} starts nothing). For 784-128-10 (W2 of BENCHMARKS.md, four epochs,
 * JDK 25, alternating with {@code -Dsimdnet.warmUp=false}, three runs each): first epoch 1.6-2.1 s
 * against 2.4-2.6 s on one thread, 1.5-2.0 s against 3.1-3.3 s on two; the whole command 4.4-5.1
 * s against 4.6-5.3 s, and 4.0-4.3 s against 5.1-5.6 s.
 */
public final class WarmUp implements AutoCloseable {

    /**
     * The most multiply-adds in the forward pass of one minibatch that are warmed up: 2^24, which
     * takes in 784-128-10 on minibatches of 100 (10 million) but not 784-800-10 (63 million).
     */
    static final long MAX_FORWARD_WORK = 1L << 24;

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private WarmUp(int[] sizes, Activation hidden, Cost cost, TrainingConfig config) {
        thread = new Thread(() -> run(sizes.clone(), hidden, cost, config), "simdnet-warm-up");
        thread.setDaemon(true);
        // Below the caller's priority, where the scheduler heeds it: the warm-up is worth only the
        // core that would otherwise be idle.
        thread.setPriority(Thread.NORM_PRIORITY - 1);
    }

    /**
     * Starts warming up for training a network of {@code sizes} with {@code config} (its minibatch
     * size, momentum and weight decay choose the code paths); nothing for a network larger than
     * about the lecture's, on a single core (where it would only slow the caller down), or with
     * {@code -Dsimdnet.warmUp=false}. Close it before training: that stops it after the step under
     * way.
     */
    public static WarmUp start(int[] sizes, Activation hidden, Cost cost, TrainingConfig config) {
        WarmUp w = new WarmUp(sizes, hidden, cost, config);
        if (worthIt(sizes, config.batchSize()) && Runtime.getRuntime().availableProcessors() > 1
                && !"false".equals(System.getProperty("simdnet.warmUp"))) {
            w.thread.start();
        }
        return w;
    }

    /** Whether a network of {@code sizes} trained on minibatches of {@code batch} is warmed up. */
    static boolean worthIt(int[] sizes, int batch) {
        long work = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            work += (long) sizes[l] * sizes[l + 1];
        }
        return work * batch <= MAX_FORWARD_WORK;
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
