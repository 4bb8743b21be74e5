package dev.simdnet.bench;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Dataset;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.TrainingConfig;
import dev.simdnet.core.kernels.KernelProvider;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole training step of each workload of BENCHMARKS.md: gather a shuffled minibatch of 100,
 * forward, cost, backward, SGD update, exactly as {@code Trainer.sgd} runs it. The data are 60,000
 * random 784-pixel examples held as bytes like a dataset read from IDX files (the size of an MNIST
 * epoch, so the gather reads from memory, not from cache, as it does in training) visited in a
 * shuffled order; 600 steps make one epoch, so
 * {@code us/op * 600 / 1e6} is the epoch's training time in seconds.
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per step (0 in the
 * steady state).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector", jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainStepBenchmark {

    /** The workloads of issue 7 / BENCHMARKS.md. */
    @Param({"W1", "W2", "W3", "W4"})
    public String workload;

    @Param({"1"})
    public int threads;

    private static final int EXAMPLES = 60_000;
    private static final int BATCH = 100;

    private Trainer trainer;
    private Dataset data;
    private TrainingConfig config;
    private int[] order;
    private int from;

    @Setup(Level.Trial)
    public void setUp() {
        Workload w = Workload.named(workload);
        Network net = Network.create(w.layers(), w.hidden(), w.cost(), 1);
        trainer = new Trainer(net, BATCH, KernelProvider.get(), threads);
        config = new TrainingConfig(BATCH, w.learningRate(), 1, 1, true, w.momentum(), 0f);
        SplittableRandom rng = new SplittableRandom(7);
        byte[] pixels = new byte[EXAMPLES * 784];
        for (int i = 0; i < pixels.length; i++) {
            // Like MNIST: most pixels 0, some ink; bytes, as datasets read from IDX files hold them.
            pixels[i] = rng.nextInt(5) < 3 ? 0 : (byte) rng.nextInt(256);
        }
        int[] labels = new int[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            labels[i] = rng.nextInt(10);
        }
        data = Dataset.ofBytes("random", pixels, labels, 28, 28, 10);
        order = AbTrainSteps.shuffledOrder(EXAMPLES, rng);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
    }

    @Benchmark
    public double step() {
        double cost = trainer.updateMiniBatch(data, order, from, BATCH, config);
        from += BATCH;
        if (from + BATCH > EXAMPLES) {
            from = 0;
        }
        return cost;
    }
}
