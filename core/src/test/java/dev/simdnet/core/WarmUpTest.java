package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void closeStopsItAndNetworksBeyondW2sSizeAreNotWarmedUp() {
        int[] lecture = {784, 16, 16, 10};
        TrainingConfig plain = new TrainingConfig(100, 3f, 1, 1, true);
        WarmUp warm = WarmUp.start(lecture, Activation.SIGMOID, Cost.MSE, plain);
        assertTrue(warm.running());
        warm.close();
        assertFalse(warm.running(), "close waits for the warm-up to stop");
        // 784-800-10 on minibatches of 100: 63 million multiply-adds a forward pass.
        assertFalse(WarmUp.worthIt(new int[] {784, 800, 10}, 100));
        assertTrue(WarmUp.worthIt(lecture, 100));
        // 784-128-10: 10.2 million, warmed up; with minibatches of 200, 20.4 million, not.
        assertTrue(WarmUp.worthIt(new int[] {784, 128, 10}, 100));
        assertFalse(WarmUp.worthIt(new int[] {784, 128, 10}, 200));
        try (WarmUp big = WarmUp.start(new int[] {784, 800, 10}, Activation.RELU, Cost.CROSS_ENTROPY, plain)) {
            assertFalse(big.running());
            assertEquals(0, big.steps());
        }
    }
}
