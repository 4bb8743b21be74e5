package dev.simdnet.core;

import dev.simdnet.core.kernels.Kernels;
import dev.simdnet.core.kernels.KernelProvider;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fully connected network: layer sizes, one activation per weight layer, a cost, and every
 * weight and bias in one flat {@code float[]}.
 *
 * <p>Layer {@code l} (0-based, {@code l < layers() }) maps {@code sizes[l]} inputs to
 * {@code sizes[l+1]} outputs. Its weights are stored row-major, {@code W[out][in]}, at
 * {@link #weightOffset(int)}, followed by its {@code out} biases at {@link #biasOffset(int)}: the
 * same layout as {@code torch.nn.Linear}'s {@code weight} and {@code bias}.
 */
public final class Network {

    private final int[] sizes;
    private final Activation[] activations;
    private final Cost cost;
    private final Activation hidden;
    private final float[] params;
    private final int[] weightOffsets;
    private final int[] biasOffsets;
    /**
     * The trainer whose working copy of the weights is newer than {@link #params}, or null. A
     * trainer keeps the weights transposed while it trains (see {@link Trainer}); every public way
     * to read the parameters first has it write them back, and then, since the caller holds the
     * live array and may change it, the trainer reads them again before its next step.
     */
    private Trainer holder;

    /**
     * A network with the given sizes (at least input and output), hidden activation and cost, and
     * parameters all zero. Use {@link #initialize(long)} or {@link #create} for random weights.
     */
    public Network(int[] sizes, Activation hidden, Cost cost) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs at least two layer sizes, input and output; got "
                    + Arrays.toString(sizes));
        }
        if (hidden == Activation.SOFTMAX) {
            throw new IllegalArgumentException("softmax is an output activation; hidden layers take sigmoid, tanh or relu");
        }
        long total = 0;
        for (int s : sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("layer sizes must be positive; got " + Arrays.toString(sizes));
            }
        }
        this.sizes = sizes.clone();
        this.cost = cost;
        this.hidden = hidden;
        int layers = sizes.length - 1;
        this.activations = new Activation[layers];
        this.weightOffsets = new int[layers];
        this.biasOffsets = new int[layers];
        for (int l = 0; l < layers; l++) {
            activations[l] = l == layers - 1 ? cost.outputActivation() : hidden;
            weightOffsets[l] = (int) total;
            total += (long) sizes[l] * sizes[l + 1];
            biasOffsets[l] = (int) total;
            total += sizes[l + 1];
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("network " + Arrays.toString(sizes)
                        + " has more parameters than one Java array can hold");
            }
        }
        this.params = new float[(int) total];
    }

    /** A network with seeded random weights: the usual way to start training. */
    public static Network create(int[] sizes, Activation hidden, Cost cost, long seed) {
        Network n = new Network(sizes, hidden, cost);
        n.initialize(seed);
        return n;
    }

    /**
     * Draws every weight from a normal distribution scaled by the layer's fan-in, standard deviation
     * {@code sqrt(1/in)} (sqrt(2/in), He's, for ReLU layers), and sets biases to zero. Deterministic
     * for a seed on every JVM: the normal deviates come from our own Box-Muller over StrictMath.
     */
    public void initialize(long seed) {
        release();
        SplittableRandom rng = new SplittableRandom(seed);
        Arrays.fill(params, 0f);
        for (int l = 0; l < layers(); l++) {
            int in = sizes[l];
            double std = Math.sqrt((activations[l] == Activation.RELU ? 2.0 : 1.0) / in);
            int off = weightOffsets[l];
            int count = in * sizes[l + 1];
            for (int i = 0; i < count; i += 2) {
                // Box-Muller gives two independent deviates per pair of uniforms.
                double u1 = 1.0 - rng.nextDouble();
                double u2 = rng.nextDouble();
                double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
                params[off + i] = (float) (std * radius * StrictMath.cos(2 * Math.PI * u2));
                if (i + 1 < count) {
                    params[off + i + 1] = (float) (std * radius * StrictMath.sin(2 * Math.PI * u2));
                }
            }
        }
    }

    /** The number of weight layers (one less than the number of sizes). */
    public int layers() {
        return sizes.length - 1;
    }

    /** The layer sizes, input first. */
    public int[] sizes() {
        return sizes.clone();
    }

    /** Size of layer {@code i} of {@link #sizes()}: 0 is the input. */
    public int size(int i) {
        return sizes[i];
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    /** The activation of weight layer {@code l}. */
    public Activation activation(int l) {
        return activations[l];
    }

    /** The hidden layers' activation (as given, for a network without hidden layers). */
    public Activation hiddenActivation() {
        return hidden;
    }

    public Cost cost() {
        return cost;
    }

    /**
     * Every weight and bias, in the layout described on the class: the live array, not a copy,
     * up to date with any trainer's last step. Changes made to it are seen by the next step.
     */
    public float[] parameters() {
        release();
        return params;
    }

    /** Has the trainer holding newer weights, if any, write them back to {@link #params}. */
    void release() {
        Trainer h = holder;
        if (h != null) {
            holder = null;
            h.writeBack();
        }
    }

    /** The parameter array as it is, for the trainer that holds or is about to take the weights. */
    float[] rawParameters() {
        return params;
    }

    Trainer holder() {
        return holder;
    }

    void hold(Trainer t) {
        holder = t;
    }

    public int parameterCount() {
        return params.length;
    }

    public int weightOffset(int l) {
        return weightOffsets[l];
    }

    public int biasOffset(int l) {
        return biasOffsets[l];
    }

    /**
     * The output activations for one example, layer by layer with matrix-vector products. Allocates
     * its result and scratch: for inference on single examples, not for training loops.
     */
    public float[] feedforward(float[] input) {
        return feedforward(input, KernelProvider.get());
    }

    /** {@link #feedforward(float[])} with the given kernels. */
    public float[] feedforward(float[] input, Kernels k) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("expected " + inputSize() + " inputs, got " + input.length);
        }
        release();
        float[] a = input;
        for (int l = 0; l < layers(); l++) {
            int in = sizes[l], out = sizes[l + 1];
            float[] z = new float[out];
            k.matVec(in, out, params, weightOffsets[l], in, a, 0, params, biasOffsets[l], z, 0);
            activations[l].forward(k, 1, out, z, 0, z, 0);
            a = z;
        }
        return a;
    }

    /** The class with the highest output activation for one example. */
    public int predict(float[] input) {
        return argmax(feedforward(input), 0, outputSize());
    }

    static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }

    /** A short description such as {@code 784-16-16-10 sigmoid, mse}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            sb.append(i == 0 ? "" : "-").append(sizes[i]);
        }
        return sb.append(' ').append(hiddenActivation().id()).append(", ").append(cost.id()).toString();
    }
}
