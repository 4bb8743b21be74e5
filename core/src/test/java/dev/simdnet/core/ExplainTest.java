package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.kernels.KernelProvider;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Trainer.explain: the gradient of one example's cost and the nudges to every hidden layer's
 * activations, against central finite differences in double precision (DoubleOracle).
 */
class ExplainTest {

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"sigmoid, mse", "tanh, mse", "relu, cross-entropy", "sigmoid, cross-entropy"})
    void nudgesAndSensitivitiesAreFiniteDifferences(String hidden, String cost) {
        int[] sizes = {7, 6, 5, 4};
        Network net = Network.create(sizes, Activation.parse(hidden, false), Cost.parse(cost), 3);
        SplittableRandom rng = new SplittableRandom(5);
        float[] p = net.parameters();
        for (int l = 0; l < net.layers(); l++) {
            for (int j = 0; j < net.size(l + 1); j++) {
                p[net.biasOffset(l) + j] = (float) (rng.nextDouble() - 0.5);
            }
        }
        float[] pixels = new float[3 * 7];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        Dataset data = new Dataset("tiny", pixels, new int[] {2, 0, 3}, 1, 7, 4);
        float[] before = p.clone();
        Explanation e;
        try (Trainer t = new Trainer(net, 4, KernelProvider.get())) {
            e = t.explain(data, 1);
        }
        assertEquals(0, e.label());
        assertTrue(java.util.Arrays.equals(before, net.parameters()), "explaining does not train");
        assertNull(e.activationGrads()[0]);

        double[] params = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            params[i] = p[i];
        }
        double[] x = new double[7];
        for (int i = 0; i < 7; i++) {
            x[i] = pixels[7 + i];
        }
        double h = 1e-6;
        // Every parameter's sensitivity.
        for (int i = 0; i < params.length; i++) {
            double saved = params[i];
            params[i] = saved + h;
            double up = DoubleOracle.cost(net, params, new double[][] {x}, new int[] {0});
            params[i] = saved - h;
            double down = DoubleOracle.cost(net, params, new double[][] {x}, new int[] {0});
            params[i] = saved;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, e.gradient()[i], 1e-3 * Math.abs(numeric) + 1e-5, "parameter " + i);
        }
        // The nudges to each hidden layer's activations: perturb one activation, run the rest.
        for (int layer = 1; layer < net.layers(); layer++) {
            double[] a = new double[net.size(layer)];
            for (int j = 0; j < a.length; j++) {
                a[j] = e.activations()[layer][j];
            }
            for (int j = 0; j < a.length; j++) {
                double saved = a[j];
                a[j] = saved + h;
                double up = costFrom(net, params, layer, a, 0);
                a[j] = saved - h;
                double down = costFrom(net, params, layer, a, 0);
                a[j] = saved;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, e.activationGrads()[layer][j], 1e-3 * Math.abs(numeric) + 1e-5,
                        "dC/da of neuron " + j + " of layer " + layer);
            }
        }
        if (net.cost() == Cost.MSE) {
            float[] out = e.activations()[net.layers()];
            for (int j = 0; j < out.length; j++) {
                assertEquals(out[j] - (j == 0 ? 1 : 0), e.activationGrads()[net.layers()][j], 1e-6);
            }
        }
    }

    /** The cost when the activations of layer {@code layer} (0 = input) are {@code a}. */
    private static double costFrom(Network net, double[] params, int layer, double[] a, int label) {
        // A network made of the remaining layers, with the same parameters, run by the oracle.
        int[] sizes = net.sizes();
        int[] rest = java.util.Arrays.copyOfRange(sizes, layer, sizes.length);
        Network tail = new Network(rest, net.hiddenActivation(), net.cost());
        double[] tailParams = new double[tail.parameterCount()];
        for (int l = 0; l < tail.layers(); l++) {
            int src = net.weightOffset(l + layer);
            int n = tail.biasOffset(l) + tail.size(l + 1) - tail.weightOffset(l);
            System.arraycopy(params, src, tailParams, tail.weightOffset(l), n);
        }
        return DoubleOracle.cost(tail, tailParams, new double[][] {a}, new int[] {label});
    }
}
