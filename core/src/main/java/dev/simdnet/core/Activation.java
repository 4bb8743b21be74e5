package dev.simdnet.core;

import dev.simdnet.core.kernels.Kernels;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A layer's activation function, applied to every neuron's weighted input z. */
public enum Activation {
    SIGMOID,
    TANH,
    RELU,
    /** Output layer only: turns the outputs into probabilities, paired with cross-entropy. */
    SOFTMAX;

    /** The lower-case name used on the command line and in model files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The activation named {@code id} (case-insensitive), for hidden layers unless
     * {@code allowSoftmax}. Throws {@link IllegalArgumentException} naming the choices.
     */
    public static Activation parse(String id, boolean allowSoftmax) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(id.trim()) && (allowSoftmax || a != SOFTMAX)) {
                return a;
            }
        }
        String choices = Arrays.stream(values())
                .filter(a -> allowSoftmax || a != SOFTMAX)
                .map(Activation::id)
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown activation '" + id + "': choose one of " + choices);
    }

    /** a = f(z) for a (rows, n) block with contiguous rows; a may be z. */
    void forward(Kernels k, int rows, int n, float[] z, int zOff, float[] a, int aOff) {
        switch (this) {
            case SIGMOID -> k.sigmoid(z, zOff, a, aOff, rows * n);
            case TANH -> k.tanh(z, zOff, a, aOff, rows * n);
            case RELU -> k.relu(z, zOff, a, aOff, rows * n);
            case SOFTMAX -> k.softmax(rows, n, z, zOff, a, aOff);
        }
    }

    /**
     * Turns the nudges to a layer's activations into nudges to its weighted inputs, in place:
     * {@code g *= f'(z)}, with f' written through the activation a = f(z). Softmax is only ever
     * differentiated together with cross-entropy, in the cost.
     */
    void backward(Kernels k, int count, float[] a, int aOff, float[] g, int gOff) {
        switch (this) {
            case SIGMOID -> k.sigmoidBackward(a, aOff, g, gOff, count);
            case TANH -> k.tanhBackward(a, aOff, g, gOff, count);
            case RELU -> k.reluBackward(a, aOff, g, gOff, count);
            case SOFTMAX -> throw new IllegalStateException("softmax is differentiated with cross-entropy");
        }
    }
}
