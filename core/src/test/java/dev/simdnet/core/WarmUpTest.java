package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.kernels.KernelProvider;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    private static float[] train(int[] sizes, Dataset data, TrainingConfig config) {
        Network net = Network.create(sizes, Activation.SIGMOID, Cost.MSE, 7);
        try (Trainer trainer = new Trainer(net, config.batchSize(), KernelProvider.get(), 1)) {
            trainer.sgd(data, null, config, null);
        }
        return net.parameters().clone();
    }

    @Test
    void aWarmUpBesideTrainingChangesNoBit() throws InterruptedException {
        // The lecture network's shape (its first layer in pairs where the kernels have them), the
        // warm-up running on its own thread all through a second, identical training run.
        int[] sizes = {784, 16, 16, 10};
        Dataset data = TrainerTest.toBytes(TrainerTest.prototypes(400, 784, 3));
        TrainingConfig config = new TrainingConfig(100, 3f, 2, 5, true);
        float[] alone = train(sizes, data, config);
        float[] beside;
        try (WarmUp warm = WarmUp.start(sizes, Activation.SIGMOID, Cost.MSE, config)) {
            for (int i = 0; i < 200 && warm.steps() == 0; i++) {
                Thread.sleep(25);
            }
            assertTrue(warm.steps() > 0, "the warm-up trains");
            beside = train(sizes, data, config);
        }
        assertArrayEquals(alone, beside, "the same weights, bit for bit");
    }

    @Test
    void closeStopsItAndNetworksTooLargeEvenNarrowedAreNotWarmedUp() {
        int[] lecture = {784, 16, 16, 10};
        TrainingConfig plain = new TrainingConfig(100, 3f, 1, 1, true);
        WarmUp warm = WarmUp.start(lecture, Activation.SIGMOID, Cost.MSE, plain);
        assertTrue(warm.running());
        warm.close();
        assertFalse(warm.running(), "close waits for the warm-up to stop");
        try (WarmUp narrowed = WarmUp.start(new int[] {784, 800, 10}, Activation.RELU, Cost.CROSS_ENTROPY, plain)) {
            assertTrue(narrowed.running(), "784-800-10 is warmed up, narrowed");
        }
        // 4,000 inputs to 800 neurons: even 4000-80-10 is 32 million multiply-adds a forward pass.
        int[] wide = {4000, 800, 10};
        assertNull(WarmUp.sizesFor(wide, 100));
        try (WarmUp big = WarmUp.start(wide, Activation.RELU, Cost.CROSS_ENTROPY, plain)) {
            assertFalse(big.running());
            assertEquals(0, big.steps());
        }
    }

    @Test
    void largeNetworksAreWarmedUpNarrowedToTheirPanels() {
        // Up to 2^24 multiply-adds a forward pass: the same sizes. 784-128-10 on 100 examples is
        // 10.2 million; on 200, 20.4 million, so its 128 neurons narrow to 48 + 32.
        assertArrayEquals(new int[] {784, 16, 16, 10}, WarmUp.sizesFor(new int[] {784, 16, 16, 10}, 100));
        assertArrayEquals(new int[] {784, 128, 10}, WarmUp.sizesFor(new int[] {784, 128, 10}, 100));
        assertArrayEquals(new int[] {784, 80, 10}, WarmUp.sizesFor(new int[] {784, 128, 10}, 200));
        // 800 = 16 x 48 + 32, 1024 = 21 x 48 + 16, 960 = 20 x 48; layers of up to 96, and the
        // output, as they are.
        assertArrayEquals(new int[] {784, 80, 10}, WarmUp.sizesFor(new int[] {784, 800, 10}, 100));
        assertArrayEquals(new int[] {784, 64, 64, 10}, WarmUp.sizesFor(new int[] {784, 1024, 1024, 10}, 100));
        assertArrayEquals(new int[] {784, 96, 90, 200}, WarmUp.sizesFor(new int[] {784, 960, 90, 200}, 100));
        // Narrowed below 2^22 a step, the passes would be cut otherwise than the real network's.
        assertNull(WarmUp.sizesFor(new int[] {100, 5000, 10}, 100));
    }
}
