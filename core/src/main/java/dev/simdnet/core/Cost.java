package dev.simdnet.core;

import dev.simdnet.core.kernels.Kernels;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The cost of one example, comparing the output layer's activations with the one-hot target. Each
 * cost fixes the output layer's activation: the lecture's quadratic cost goes with sigmoid outputs,
 * cross-entropy with softmax.
 */
public enum Cost {
    /** The lecture's cost: {@code C = 1/2 * sum_j (a_j - y_j)^2}, on sigmoid outputs. */
    MSE("mse", Activation.SIGMOID),
    /** {@code C = -log a_label} on softmax outputs. */
    CROSS_ENTROPY("cross-entropy", Activation.SOFTMAX);

    private final String id;
    private final Activation output;

    Cost(String id, Activation output) {
        this.id = id;
        this.output = output;
    }

    /** The name used on the command line, in reports and in model files. */
    public String id() {
        return id;
    }

    /** The output layer's activation that goes with this cost. */
    public Activation outputActivation() {
        return output;
    }

    /** The cost named {@code id}; throws {@link IllegalArgumentException} naming the choices. */
    public static Cost parse(String id) {
        for (Cost c : values()) {
            if (c.id.equalsIgnoreCase(id.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + id + "': choose one of "
                + Arrays.stream(values()).map(Cost::id).collect(Collectors.joining(", ")));
    }

    /**
     * The summed cost of examples {@code [r0, r0 + rows)}, whose output activations are rows of A
     * (n a row, back to back) and whose labels are {@code labels[r0 ..]}, and the output layer's
     * desired nudges to their weighted inputs, written to the same rows of {@code dz}:
     * {@code (a - y) * sigmoid'(z)} for the quadratic cost, {@code a - y} for cross-entropy.
     */
    double costAndOutputNudges(Kernels k, int r0, int rows, int n, float[] a, int[] labels, float[] dz) {
        int o = r0 * n;
        if (this == MSE) {
            double c = k.quadraticCost(rows, n, a, o, labels, r0, dz, o);
            k.sigmoidBackward(a, o, dz, o, rows * n);
            return c;
        }
        return k.crossEntropyCost(rows, n, a, o, labels, r0, dz, o);
    }
}
