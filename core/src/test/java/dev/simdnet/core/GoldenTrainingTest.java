package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weights after a few SGD steps with momentum and weight decay, against an independent NumPy
 * implementation: src/test/resources/golden/make_golden.py and the files it wrote.
 */
class GoldenTrainingTest {

    @ParameterizedTest(name = "{0} with {1} kernels")
    @CsvSource({
        "sigmoid-mse-momentum.txt, scalar", "sigmoid-mse-momentum.txt, vector",
        "relu-xent-momentum.txt, scalar", "relu-xent-momentum.txt, vector",
        "tanh-xent-plain.txt, scalar", "tanh-xent-plain.txt, vector",
    })
    void matchesNumPy(String file, String impl) throws IOException {
        Kernels k = impl.equals("scalar") ? KernelProvider.scalar() : KernelProvider.vector().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(k != null, "no vector kernels here");
        Map<String, String> g = read(file);
        int[] sizes = ints(g.get("sizes"));
        Network net = new Network(sizes, Activation.parse(g.get("hidden"), false), Cost.parse(g.get("loss")));
        float[] init = floats(g.get("init"));
        assertEquals(net.parameterCount(), init.length, "the golden file's layout is the network's");
        System.arraycopy(init, 0, net.parameters(), 0, init.length);
        int batch = Integer.parseInt(g.get("batch"));
        Dataset data = new Dataset("golden", floats(g.get("x")), ints(g.get("labels")), 1, sizes[0],
                sizes[sizes.length - 1]);
        TrainingConfig config = new TrainingConfig(batch, Float.parseFloat(g.get("lr")), 1, 1, false,
                Float.parseFloat(g.get("momentum")), Float.parseFloat(g.get("weightDecay")));
        Trainer trainer = new Trainer(net, batch, k);
        int[] order = new int[batch];
        for (int i = 0; i < batch; i++) {
            order[i] = i;
        }
        for (int s = 0; s < Integer.parseInt(g.get("steps")); s++) {
            trainer.updateMiniBatch(data, order, 0, batch, config);
        }
        float[] expected = floats(g.get("final"));
        float[] actual = net.parameters();
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            // float32 training against float64 NumPy: 1e-4 relative, or 1e-6 absolute near zero.
            assertTrue(err <= 1e-4 * Math.abs(expected[i]) + 1e-6,
                    file + " parameter " + i + ": simdnet " + actual[i] + ", NumPy " + expected[i]);
            worst = Math.max(worst, Math.abs(actual[i] - init[i]));
        }
        assertTrue(worst > 1e-3, "the steps must have moved the weights");
    }

    private static Map<String, String> read(String file) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (InputStream in = GoldenTrainingTest.class.getResourceAsStream("/golden/" + file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    int sp = line.indexOf(' ');
                    m.put(line.substring(0, sp), line.substring(sp + 1).trim());
                }
            }
        }
        return m;
    }

    private static int[] ints(String s) {
        return java.util.Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static float[] floats(String s) {
        String[] parts = s.split(" ");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            f[i] = Float.parseFloat(parts[i]);
        }
        return f;
    }
}
