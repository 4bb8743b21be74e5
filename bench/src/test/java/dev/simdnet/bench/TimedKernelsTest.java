package dev.simdnet.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Dataset;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.TrainingConfig;
import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimedKernelsTest {

    /**
     * A default method of Kernels that TimedKernels did not override would run the plain loop of
     * the default instead of the wrapped implementation's kernel: slower, and other bits.
     */
    @Test
    void passesOnEveryMethodOfKernels() throws NoSuchMethodException {
        List<String> missing = new ArrayList<>();
        for (Method m : Kernels.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || Modifier.isPrivate(m.getModifiers())) {
                continue;
            }
            try {
                TimedKernels.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertEquals(List.of(), missing, "Kernels methods TimedKernels does not pass on");
        for (String name : TimedKernels.KERNELS) {
            String method = name.replace(" (rows)", "");
            assertTrue(List.of(Kernels.class.getMethods()).stream().anyMatch(m -> m.getName().equals(method)), name);
        }
    }

    /** The lecture network (paired at 512 bits) and a ReLU one with momentum, a few steps each. */
    @Test
    void trainsToTheSameBitsAndCountsTheCalls() {
        Kernels plain = KernelProvider.get();
        SplittableRandom rng = new SplittableRandom(11);
        int n = 300;
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        int[] labels = rng.ints(n, 0, 10).toArray();
        Dataset data = Dataset.ofBytes("t", pixels, labels, 28, 28, 10);
        int[][] sizes = {{784, 16, 16, 10}, {784, 40, 10}};
        Activation[] hidden = {Activation.SIGMOID, Activation.RELU};
        Cost[] cost = {Cost.MSE, Cost.CROSS_ENTROPY};
        float[] momentum = {0f, 0.9f};
        for (int c = 0; c < sizes.length; c++) {
            TimedKernels timed = new TimedKernels(plain);
            float[] expected = train(sizes[c], hidden[c], cost[c], momentum[c], plain, data);
            float[] actual = train(sizes[c], hidden[c], cost[c], momentum[c], timed, data);
            assertArrayEquals(expected, actual, "network " + c);
            int firstForward = TimedKernels.KERNELS.indexOf(
                    c == 0 && plain.pairedWidth() == 16 ? "pairedForward" : "forwardTransposed (rows)");
            int conversion = TimedKernels.KERNELS.indexOf(
                    c == 0 && plain.pairedWidth() == 16 ? "unitFloatPairs" : "unitFloats");
            assertTrue(timed.calls(firstForward) >= 3, "first layer's forward calls: " + timed.calls(firstForward));
            assertTrue(timed.nanos(firstForward) > 0);
            assertTrue(timed.calls(conversion) >= 3 * 100, "conversions: " + timed.calls(conversion));
            timed.reset();
            assertEquals(0, timed.calls(firstForward));
        }
    }

    private static float[] train(int[] sizes, Activation hidden, Cost cost, float momentum, Kernels k, Dataset data) {
        Network net = Network.create(sizes, hidden, cost, 7);
        TrainingConfig config = new TrainingConfig(100, 0.5f, 1, 1, true, momentum, 0f);
        int[] order = AbTrainSteps.shuffledOrder(data.size(), new SplittableRandom(3));
        try (Trainer trainer = new Trainer(net, 100, k, 1)) {
            for (int s = 0; s < 3; s++) {
                trainer.updateMiniBatch(data, order, s * 100, 100, config);
            }
        }
        return net.parameters();
    }
}
