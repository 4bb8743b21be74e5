package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer with the kernels the provider picks (run once more with scalar forced; see the POM).
 */
class TrainerTest {

    /**
     * Ten classes, each a random prototype image plus noise: easy for a network that learns, and
     * at 10% for one that does not.
     */
    static Dataset prototypes(int count, int pixels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] proto = new float[10][pixels];
        SplittableRandom protoRng = new SplittableRandom(99);
        for (float[] p : proto) {
            for (int i = 0; i < pixels; i++) {
                p[i] = protoRng.nextDouble() < 0.3 ? 1f : 0f;
            }
        }
        float[] x = new float[count * pixels];
        int[] labels = new int[count];
        for (int e = 0; e < count; e++) {
            int c = rng.nextInt(10);
            labels[e] = c;
            for (int i = 0; i < pixels; i++) {
                float v = proto[c][i] + (float) (rng.nextGaussian() * 0.35);
                x[e * pixels + i] = Math.min(1f, Math.max(0f, v));
            }
        }
        return new Dataset("prototypes", x, labels, 1, pixels, 10);
    }

    @Test
    void theLecturesNetworkLearns() {
        Dataset train = prototypes(6000, 64, 1);
        Dataset test = prototypes(500, 64, 2);
        Network net = Network.create(new int[] {64, 16, 16, 10}, Activation.SIGMOID, Cost.MSE, 5);
        Trainer trainer = new Trainer(net, 100, KernelProvider.get());
        double before = trainer.accuracy(test);
        List<EpochStats> history = trainer.sgd(train, test, TrainingConfig.lecture(), null);
        assertEquals(10, history.size());
        double after = history.get(9).testAccuracy();
        assertTrue(before < 0.35, "an untrained network should be near chance, got " + before);
        assertTrue(after > 0.95, "test accuracy after 10 epochs: " + after);
        assertTrue(history.get(9).trainLoss() < history.get(0).trainLoss(), "the cost must go down");
    }

    @Test
    void everyCostAndActivationLearns() {
        Dataset train = prototypes(2000, 49, 3);
        Dataset test = prototypes(400, 49, 4);
        for (Activation hidden : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU}) {
            for (Cost cost : Cost.values()) {
                Network net = Network.create(new int[] {49, 20, 10}, hidden, cost, 6);
                float lr = cost == Cost.MSE && hidden == Activation.SIGMOID ? 3f : 0.1f;
                Trainer trainer = new Trainer(net, 50, KernelProvider.get());
                List<EpochStats> h = trainer.sgd(train, test, new TrainingConfig(50, lr, 6, 1, true), null);
                double acc = h.get(h.size() - 1).testAccuracy();
                assertTrue(acc > 0.9, hidden.id() + "/" + cost.id() + " reached only " + acc);
            }
        }
    }

    @Test
    void sameSeedSameWeightsBitForBit() {
        Dataset train = prototypes(1234, 30, 5);
        float[][] results = new float[2][];
        for (int run = 0; run < 2; run++) {
            Network net = Network.create(new int[] {30, 13, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 9);
            new Trainer(net, 64, KernelProvider.get())
                    .sgd(train, null, new TrainingConfig(64, 0.2f, 3, 17, true), null);
            results[run] = net.parameters().clone();
        }
        assertArrayEquals(results[0], results[1]);
    }

    @ParameterizedTest(name = "784-{0}-{1}-10")
    @CsvSource({"200, 30", "400, 30", "400, 400"})
    void anyNumberOfThreadsGivesTheSameWeightsBitForBit(int hidden, int second) {
        // Big enough that every pass is cut into tasks (200 and 400 neurons: whole panels; the
        // 30 after them, one panel: blocks of neurons by examples or inputs; 400 by 400: an
        // input gradient summed in three parts, by the thread that wrote each part's rows of W on
        // two threads, panel by panel on one); 1234 examples leave a partial minibatch.
        Dataset train = prototypes(1234, 784, 5);
        float[][] results = new float[3][];
        for (int threads = 1; threads <= 3; threads++) {
            Network net = Network.create(new int[] {784, hidden, second, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 9);
            try (Trainer trainer = new Trainer(net, 100, KernelProvider.get(), threads)) {
                assertEquals(threads, trainer.threads());
                trainer.sgd(train, null, new TrainingConfig(100, 0.05f, 2, 17, true, 0.9f, 1e-4f), null);
            }
            results[threads - 1] = net.parameters().clone();
        }
        assertArrayEquals(results[0], results[1], "1 and 2 threads");
        assertArrayEquals(results[0], results[2], "1 and 3 threads");
    }

    @Test
    void theLectureNetworkGivesTheSameBitsOnAnyNumberOfThreadsFromBytesOrFloats() {
        // 784-16-16-10: a step too small to share by neurons and examples, so the first layer is
        // cut into blocks of inputs instead, each task converting and summing its own; the blocks'
        // sums are added in one order whatever the threads. 1234 examples: a partial minibatch.
        Dataset bytes = toBytes(prototypes(1234, 784, 12));
        Dataset floats = new Dataset("floats", bytes.pixels(), bytes.labels(), 28, 28, 10);
        float[] first = null;
        double firstAccuracy = 0;
        for (Dataset d : new Dataset[] {bytes, floats}) {
            for (int threads = 1; threads <= 3; threads++) {
                Network net = Network.create(new int[] {784, 16, 16, 10}, Activation.SIGMOID, Cost.MSE, 4);
                double accuracy;
                try (Trainer trainer = new Trainer(net, 100, KernelProvider.get(), threads)) {
                    // Shared between the threads even while the JIT compiles (see jitBusy).
                    trainer.yieldToJit = false;
                    trainer.sgd(d, null, new TrainingConfig(100, 3f, 2, 8, true), null);
                    accuracy = trainer.accuracy(d);
                }
                if (first == null) {
                    first = net.parameters().clone();
                    firstAccuracy = accuracy;
                    assertTrue(accuracy > 0.25, "it learns (chance: 0.1): " + accuracy);
                } else {
                    assertArrayEquals(first, net.parameters(), d.name() + ", " + threads + " thread(s)");
                    assertEquals(firstAccuracy, accuracy, d.name() + ", " + threads + " thread(s)");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} inputs, {1} neurons, {2}")
    @CsvSource({"900, 6, bytes", "900, 0, bytes", "50, 0, floats"})
    void aFirstLayerInBlocksOfInputsMatchesFiniteDifferences(int in, int hidden, String kind) {
        // 900 inputs make three blocks (400, 400, 100), each converted from bytes by its own task
        // on one of two threads; 50 make one. A hidden layer of 0 here means the kernels' paired
        // width (see Kernels#pairedForward): that layer is kept in pairs, its inputs too, from
        // bytes or copied from floats (16 when the kernels have no paired layout: the transposed
        // one again). Oracle: the double-precision cost of DoubleOracle, differentiated
        // numerically for every parameter.
        Kernels kernels = KernelProvider.get();
        int out = hidden > 0 ? hidden : kernels.pairedWidth() > 0 ? kernels.pairedWidth() : 16;
        int count = 5;
        SplittableRandom rng = new SplittableRandom(21);
        byte[] pixels = randomBytes(count * in, rng);
        int[] labels = {3, 0, 1, 3, 2};
        Dataset data = Dataset.ofBytes("bytes", pixels, labels, 1, in, 4);
        if (kind.equals("floats")) {
            data = new Dataset("floats", data.pixels(), labels, 1, in, 4);
        }
        Network net = Network.create(new int[] {in, out, 4}, Activation.SIGMOID, Cost.MSE, 13);
        float[] p = net.parameters();
        for (int j = 0; j < out; j++) {
            p[net.biasOffset(0) + j] = (float) (rng.nextDouble() - 0.5);
        }
        int[] order = {0, 1, 2, 3, 4};
        float[] analytic;
        try (Trainer trainer = new Trainer(net, count, kernels, 2)) {
            trainer.yieldToJit = false;
            assertEquals(out == kernels.pairedWidth(), trainer.paired, "the first layer in pairs where the kernels have them");
            trainer.computeGradient(data, order, 0, count);
            analytic = trainer.gradient().clone();
        }
        int[] every = new int[p.length];
        for (int i = 0; i < every.length; i++) {
            every[i] = i;
        }
        assertMatchesFiniteDifferences(net, pixels, labels, analytic, every);
    }

    /** n bytes drawn from rng. */
    private static byte[] randomBytes(int n, SplittableRandom rng) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) rng.nextInt(256);
        }
        return bytes;
    }

    /**
     * Checks {@code analytic}, the gradient of net's summed cost over the examples whose pixels are
     * {@code pixels} (one row per label), at the parameters {@code indices}, against DoubleOracle's
     * double-precision cost differentiated numerically.
     */
    private static void assertMatchesFiniteDifferences(Network net, byte[] pixels, int[] labels, float[] analytic,
                                                       int[] indices) {
        float[] p = net.parameters();
        double[] params = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            params[i] = p[i];
        }
        int count = labels.length, in = net.inputSize();
        double[][] x = new double[count][in];
        for (int e = 0; e < count; e++) {
            for (int i = 0; i < in; i++) {
                x[e][i] = (pixels[e * in + i] & 0xFF) / 255.0;
            }
        }
        double h = 1e-6;
        for (int i : indices) {
            double numeric = DoubleOracle.centralDifference(net, params, x, labels, i, h);
            assertEquals(numeric, analytic[i], 1e-3 * Math.abs(numeric) + 1e-5, "parameter " + i);
        }
    }

    @ParameterizedTest(name = "{0} layer(s) of 400")
    @ValueSource(ints = {1, 2})
    void wideLayersCutIntoWholePanelsMatchFiniteDifferences(int wide) {
        // 400 neurons, 9 panels of 48 (the last one 16 wide): a step of 16 examples of 784 inputs
        // (5 million multiply-adds and more) is shared by threads, and a layer this wide is cut by
        // whole panels, its forward pass over all examples and its weight step over all inputs,
        // on two threads. A second such layer (400 inputs, 400 neurons) sums its input gradient
        // in three parts (Trainer.grouped), on which the first layer's gradient depends. Oracle: DoubleOracle's
        // double-precision cost, differentiated numerically for weights around the panels' edges
        // and the first and last inputs, and for every twentieth bias.
        int in = 784, hidden = 400, count = 16;
        SplittableRandom rng = new SplittableRandom(33);
        byte[] pixels = randomBytes(count * in, rng);
        int[] labels = new int[count];
        int[] order = new int[count];
        for (int e = 0; e < count; e++) {
            labels[e] = e % 4;
            order[e] = e;
        }
        Dataset data = Dataset.ofBytes("bytes", pixels, labels, 1, in, 4);
        int[] sizes = wide == 1 ? new int[] {in, hidden, 4} : new int[] {in, hidden, hidden, 4};
        Network net = Network.create(sizes, Activation.SIGMOID, Cost.MSE, 14);
        float[] p = net.parameters();
        for (int l = 0; l < wide; l++) {
            for (int j = 0; j < hidden; j++) {
                p[net.biasOffset(l) + j] = (float) (rng.nextDouble() - 0.5);
            }
        }
        float[] analytic;
        try (Trainer trainer = new Trainer(net, count, KernelProvider.get(), 2)) {
            trainer.yieldToJit = false;
            trainer.computeGradient(data, order, 0, count);
            analytic = trainer.gradient().clone();
        }
        List<Integer> checked = new ArrayList<>();
        for (int j : new int[] {0, 47, 48, 95, 96, 383, 384, 399}) {
            for (int k : new int[] {0, 1, 400, 783}) {
                checked.add(net.weightOffset(0) + j * in + k);
            }
        }
        for (int l = 1; l < wide; l++) {
            for (int j : new int[] {0, 47, 48, 399}) {
                for (int k : new int[] {0, 47, 48, 399}) {
                    checked.add(net.weightOffset(l) + j * hidden + k);
                }
            }
        }
        for (int l = 0; l < wide; l++) {
            for (int j = 0; j < hidden; j += 20) {
                checked.add(net.biasOffset(l) + j);
            }
        }
        for (int j = 0; j < 4; j++) {
            checked.add(net.weightOffset(wide) + j * hidden + 399);
            checked.add(net.biasOffset(wide) + j);
        }
        assertMatchesFiniteDifferences(net, pixels, labels, analytic, checked.stream().mapToInt(i -> i).toArray());
    }

    @ParameterizedTest(name = "{0} kernels, {1} thread(s)")
    @CsvSource({"scalar, 1", "vector, 1", "vector, 2"})
    void theInputGradientTakesEachStepsNewWeights(String impl, int threads) {
        // The trainer keeps W (out, in) for dA = dZ * W from one step to the next, each block of
        // weights writing its part right after its step. Layers of 400 x 400 (its input gradient
        // cut by whole panels on two threads), 400 x 200 and 200 x 4 (its weight step in blocks
        // of inputs). Oracle: the same steps, each by a new trainer on a twin network, which
        // transposes W afresh; bit for bit, through a change made in the network's array and a
        // gradient computed on its own.
        Kernels k = impl.equals("scalar") ? KernelProvider.scalar() : KernelProvider.vector().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(k != null, "no vector kernels here");
        int in = 784, count = 16;
        SplittableRandom rng = new SplittableRandom(35);
        byte[] pixels = randomBytes(2 * count * in, rng);
        int[] labels = new int[2 * count];
        int[] order = new int[2 * count];
        for (int e = 0; e < order.length; e++) {
            labels[e] = e % 4;
            order[e] = order.length - 1 - e;
        }
        Dataset data = Dataset.ofBytes("bytes", pixels, labels, 1, in, 4);
        int[] sizes = {in, 400, 400, 200, 4};
        Network net = Network.create(sizes, Activation.RELU, Cost.CROSS_ENTROPY, 15);
        Network twin = Network.create(sizes, Activation.RELU, Cost.CROSS_ENTROPY, 15);
        try (Trainer trainer = new Trainer(net, count, k, threads)) {
            trainer.yieldToJit = false;
            for (int step = 0; step < 7; step++) {
                int from = (step % 2) * count;
                if (step == 3) {
                    // Every 97th parameter from the second layer's weights to the third's.
                    for (int i = net.weightOffset(1); i < net.biasOffset(2); i += 97) {
                        net.parameters()[i] += 0.1f;
                        twin.parameters()[i] += 0.1f;
                    }
                }
                if (step == 5) {
                    trainer.computeGradient(data, order, from, count);
                    try (Trainer fresh = new Trainer(twin, count, k, threads)) {
                        fresh.yieldToJit = false;
                        fresh.computeGradient(data, order, from, count);
                        assertArrayEquals(fresh.gradient(), trainer.gradient(), "the gradient before step " + step);
                    }
                }
                trainer.updateMiniBatch(data, order, from, count, 0.1f);
                try (Trainer fresh = new Trainer(twin, count, k, threads)) {
                    fresh.yieldToJit = false;
                    fresh.updateMiniBatch(data, order, from, count, 0.1f);
                }
            }
        }
        assertFalse(Arrays.equals(Network.create(sizes, Activation.RELU, Cost.CROSS_ENTROPY, 15).parameters(),
                net.parameters()), "the steps changed the weights");
        assertArrayEquals(twin.parameters(), net.parameters(), "the weights after seven steps");
    }

    @Test
    void theNetworkSeesEveryStepAndTheTrainerSeesEveryChange() {
        // The trainer trains on its own (transposed) copy of the weights. Oracle: plain gradient
        // descent computed here from computeGradient, on the network's own layout.
        Dataset data = prototypes(40, 30, 5);
        int[] order = new int[40];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Network net = Network.create(new int[] {30, 60, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 8);
        Network twin = Network.create(new int[] {30, 60, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 8);
        Trainer trainer = new Trainer(net, 20, KernelProvider.scalar());
        Trainer oracle = new Trainer(twin, 20, KernelProvider.scalar());
        for (int step = 0; step < 3; step++) {
            int from = (step % 2) * 20;
            float[] before = net.parameters().clone();
            oracle.computeGradient(data, order, from, 20);
            float[] grad = oracle.gradient().clone();
            trainer.updateMiniBatch(data, order, from, 20, 0.1f);
            float[] after = net.parameters();
            for (int i = 0; i < after.length; i++) {
                assertEquals(before[i] - 0.1f * (1f / 20) * grad[i], after[i], 1e-6f, "step " + step + ", parameter " + i);
            }
            // A change made through the live array is what the next step starts from.
            after[7] += 0.25f;
            System.arraycopy(after, 0, twin.parameters(), 0, after.length);
        }
        // A second trainer on the same network takes over the newest weights, and hands them back.
        float[] last = net.parameters().clone();
        Trainer second = new Trainer(net, 20, KernelProvider.scalar());
        trainer.updateMiniBatch(data, order, 0, 20, 0.1f);
        float[] fromFirst = net.parameters().clone();
        assertFalse(Arrays.equals(last, fromFirst), "the first trainer's step shows");
        second.updateMiniBatch(data, order, 0, 20, 0f);
        assertArrayEquals(fromFirst, net.parameters(), "a zero step by the second trainer starts from the first's weights");
        trainer.close();
        second.close();
        oracle.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {50, 784})
    void aDatasetOfBytesTrainsExactlyLikeTheSameFloats(int in) {
        // 50 inputs: a step small enough to run each pass whole; 784: its passes are cut into
        // tasks, and on these two threads each thread converts the minibatch into floats of its
        // own, once a step.
        // At 784 the vector kernels' first layer also takes different tiles for the two: the
        // converted bytes lie 1040 floats apart (the fixed tiles), the floats are read in place
        // 784 apart (the rows tiles).
        SplittableRandom rng = new SplittableRandom(11);
        int n = 300;
        byte[] bytes = new byte[n * in];
        int[] labels = new int[n];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) rng.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(10);
        }
        float[] floats = new float[bytes.length];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (bytes[i] & 0xFF) / 255f;
        }
        Dataset asBytes = Dataset.ofBytes("bytes", bytes, labels, 1, in, 10);
        Dataset asFloats = new Dataset("floats", floats, labels, 1, in, 10);
        assertArrayEquals(asFloats.image(17), asBytes.image(17));
        float[][] results = new float[2][];
        double[] accuracies = new double[2];
        int i = 0;
        for (Dataset d : new Dataset[] {asFloats, asBytes}) {
            Network net = Network.create(new int[] {in, 70, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 5);
            try (Trainer trainer = new Trainer(net, 100, KernelProvider.get(), 2)) {
                trainer.sgd(d, null, new TrainingConfig(100, 0.1f, 2, 3, true, 0.9f, 0f), null);
                accuracies[i] = trainer.accuracy(d);
            }
            results[i++] = net.parameters().clone();
        }
        assertArrayEquals(results[0], results[1], "the same weights, bit for bit");
        assertEquals(accuracies[0], accuracies[1]);
        assertTrue(asBytes.bytePixels() == bytes, "the byte dataset keeps its bytes");
        assertArrayEquals(floats, asBytes.pixels(), "pixels() of bytes: value / 255");
    }

    @Test
    void lastPartialMinibatchIsAveragedOverItsOwnSize() {
        // 7 examples, minibatch 5: the second step averages over 2. The trainer's step must equal
        // lr/2 times the gradient computed for those two examples alone.
        Dataset data = prototypes(7, 12, 8);
        Network net = Network.create(new int[] {12, 5, 10}, Activation.TANH, Cost.MSE, 2);
        Trainer trainer = new Trainer(net, 5, KernelProvider.scalar());
        int[] order = {0, 1, 2, 3, 4, 5, 6};
        float[] before = net.parameters().clone();
        trainer.computeGradient(data, order, 5, 2);
        float[] grad = trainer.gradient().clone();
        trainer.updateMiniBatch(data, order, 5, 2, 0.5f);
        float[] after = net.parameters();
        for (int i = 0; i < after.length; i++) {
            assertEquals(before[i] - 0.25f * grad[i], after[i], 1e-7f, "parameter " + i);
        }
    }

    @ParameterizedTest(name = "{0} thread(s), {3}-{1}-{2}-10")
    @CsvSource({"1, 64, 16, 784", "2, 64, 16, 784", "1, 16, 16, 784", "2, 16, 16, 784", "2, 400, 16, 100",
            "1, 400, 400, 100", "2, 400, 400, 100"})
    void aTrainingStepAllocatesNothing(int threads, int hidden, int second, int in) {
        // Floats and plain SGD on one thread, bytes (converted at each step) and momentum on two:
        // both input paths, both kinds of step. 64 hidden neurons: passes shared by blocks of
        // neurons and examples; 400: by whole panels (100 inputs keep the test short); 16 (the
        // lecture's): the first layer in blocks of inputs; 400 then 400: an input gradient summed
        // in parts (Trainer.grouped). (A kernel
        // that the JIT never compiles runs its vectors as heap objects: this test is what notices.)
        // The 400 by 400 steps take the vector kernels even where the scalar ones are forced (see
        // the POM): those have no vectors to leave on the heap, and took 15-30 s for these steps.
        Kernels kernels = second > 16 ? KernelProvider.vector().orElse(KernelProvider.get()) : KernelProvider.get();
        Dataset floats = prototypes(1000, in, 6);
        Dataset data = threads == 1 ? floats : toBytes(floats);
        TrainingConfig config = new TrainingConfig(100, 0.1f, 1, 1, true, threads == 1 ? 0f : 0.9f, 0f);
        Network net = Network.create(new int[] {in, hidden, second, 10}, Activation.SIGMOID, Cost.MSE, 1);
        // The calling thread is measured; with 2 threads it runs its share of every pass too.
        Trainer trainer = new Trainer(net, 100, kernels, threads);
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Until C2 has compiled the kernels, vector operations are Java objects on the heap: warm
        // up in windows of 100 steps until three in a row allocate nothing (about 500 steps
        // here). One quiet window is not enough on two threads: the worker may have run the tasks
        // whose kernels were not compiled yet.
        for (int window = 0, quiet = 0; window < 100 && quiet < 3; window++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100; i++) {
                trainer.updateMiniBatch(data, order, (i % 10) * 100, 100, config);
            }
            quiet = mx.getCurrentThreadAllocatedBytes() - before < 1024 ? quiet + 1 : 0;
        }
        long start = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 300; i++) {
            trainer.updateMiniBatch(data, order, (i % 10) * 100, 100, config);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - start;
        trainer.close();
        // 300 steps: even 16 bytes a step would show as 4800.
        assertTrue(allocated < 1024, "300 training steps allocated " + allocated + " bytes");
    }

    static Dataset toBytes(Dataset d) {
        byte[] b = new byte[d.pixels().length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Math.round(d.pixels()[i] * 255);
        }
        return Dataset.ofBytes(d.name(), b, d.labels(), d.rows(), d.cols(), d.classes());
    }

    @Test
    void divergenceStopsWithAClearMessage() {
        Dataset train = prototypes(500, 20, 7);
        Network net = Network.create(new int[] {20, 30, 30, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 3);
        Trainer trainer = new Trainer(net, 50, KernelProvider.get());
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer.sgd(train, null, new TrainingConfig(50, 1e30f, 5, 1, true), null));
        assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
    }

    @Test
    void feedforwardAgreesWithTheBatchedPass() {
        Dataset test = prototypes(50, 40, 9);
        Network net = Network.create(new int[] {40, 17, 10}, Activation.TANH, Cost.CROSS_ENTROPY, 4);
        Trainer trainer = new Trainer(net, 16, KernelProvider.get());
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            if (net.predict(test.image(i)) == test.label(i)) {
                correct++;
            }
        }
        assertEquals((double) correct / test.size(), trainer.accuracy(test), 1e-12);
        double[] params = new double[net.parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = net.parameters()[i];
        }
        float[] x = test.image(3);
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        double[] expected = DoubleOracle.forward(net, params, xd);
        float[] actual = net.feedforward(x);
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], actual[j], 1e-5);
        }
    }
}
