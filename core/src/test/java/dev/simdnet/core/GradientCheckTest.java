package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backpropagation's gradient of every weight and bias against central finite differences of the
 * cost, computed in double precision by {@link DoubleOracle}, for every hidden activation and cost,
 * with both kernel implementations.
 */
class GradientCheckTest {

    @ParameterizedTest(name = "{0} hidden, {1} cost, {2} kernels")
    @CsvSource({
        "sigmoid, mse, scalar", "tanh, mse, scalar", "relu, mse, scalar",
        "sigmoid, cross-entropy, scalar", "tanh, cross-entropy, scalar", "relu, cross-entropy, scalar",
        "sigmoid, mse, vector", "tanh, mse, vector", "relu, mse, vector",
        "sigmoid, cross-entropy, vector", "tanh, cross-entropy, vector", "relu, cross-entropy, vector",
    })
    void backpropMatchesFiniteDifferences(String hidden, String cost, String kernels) {
        Kernels k = kernels.equals("scalar") ? KernelProvider.scalar() : KernelProvider.vector().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(k != null, "no vector kernels here");
        // Sizes that leave vector tails everywhere: 11 inputs, hidden layers of 9 and 5, 4 classes.
        int[] sizes = {11, 9, 5, 4};
        Network net = Network.create(sizes, Activation.parse(hidden, false), Cost.parse(cost), 7);
        // Nonzero biases, so that their gradients are checked away from the symmetric start.
        SplittableRandom rng = new SplittableRandom(3);
        float[] p = net.parameters();
        for (int l = 0; l < net.layers(); l++) {
            for (int j = 0; j < net.size(l + 1); j++) {
                p[net.biasOffset(l) + j] = (float) (rng.nextDouble() - 0.5);
            }
        }
        int count = 6;
        float[] pixels = new float[count * sizes[0]];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        int[] labels = {0, 1, 2, 3, 1, 2};
        Dataset data = new Dataset("tiny", pixels, labels, 1, sizes[0], 4);

        Trainer trainer = new Trainer(net, count, k);
        int[] order = {0, 1, 2, 3, 4, 5};
        trainer.computeGradient(data, order, 0, count);
        float[] analytic = trainer.gradient().clone();

        double[] params = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            params[i] = p[i];
        }
        double[][] x = new double[count][sizes[0]];
        for (int e = 0; e < count; e++) {
            for (int i = 0; i < sizes[0]; i++) {
                x[e][i] = pixels[e * sizes[0] + i];
            }
        }
        double h = 1e-6;
        double worst = 0;
        for (int i = 0; i < params.length; i++) {
            double numeric = DoubleOracle.centralDifference(net, params, x, labels, i, h);
            double err = Math.abs(numeric - analytic[i]);
            // Float backprop against a double oracle: relative 1e-3, or 1e-5 absolute near zero.
            double tol = 1e-3 * Math.abs(numeric) + 1e-5;
            assertTrue(err <= tol, "parameter " + i + ": backprop " + analytic[i] + ", finite differences "
                    + numeric + " (" + hidden + ", " + cost + ", " + k.name() + ")");
            worst = Math.max(worst, err);
        }
        assertTrue(worst > 0 || params.length == 0, "identical to the last bit is suspicious for float vs double");
    }
}
