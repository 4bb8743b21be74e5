package dev.simdnet.core;

import dev.simdnet.core.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stochastic gradient descent with backpropagation, one minibatch at a time, as in the lecture:
 * {@link #sgd} runs the epochs, {@link #updateMiniBatch} takes one step downhill, and
 * {@link #backprop} computes how every example of the minibatch would like to nudge every weight
 * and bias.
 *
 * <p>Every buffer is allocated once, in the constructor, for the largest minibatch: a training step
 * allocates nothing. Activations are kept row-major, one example per row, so a minibatch of 100
 * 784-pixel images is 314 KB and stays in L2 through the forward and backward passes. A trainer is
 * not thread-safe; use one per thread.
 */
public final class Trainer {

    private final Network net;
    private final Kernels k;
    private final int maxBatch;

    /** The minibatch's inputs, (maxBatch, inputSize): gathered into one block per step. */
    private final float[] input;
    private final int[] batchLabels;
    /** activations[l]: weight layer l's outputs, (maxBatch, sizes[l+1]). */
    private final float[][] activations;
    /** nudges[l]: the cost's gradient with respect to layer l's weighted inputs z, same shape. */
    private final float[][] nudges;
    /** The gradient of the summed minibatch cost: a twin of the network's parameters. */
    private final float[] gradient;

    public Trainer(Network net, int maxBatch, Kernels kernels) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + maxBatch);
        }
        this.net = net;
        this.k = kernels;
        this.maxBatch = maxBatch;
        this.input = new float[Math.multiplyExact(maxBatch, net.inputSize())];
        this.batchLabels = new int[maxBatch];
        this.activations = new float[net.layers()][];
        this.nudges = new float[net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            activations[l] = new float[Math.multiplyExact(maxBatch, net.size(l + 1))];
            nudges[l] = new float[activations[l].length];
        }
        this.gradient = new float[net.parameterCount()];
    }

    public Network network() {
        return net;
    }

    public Kernels kernels() {
        return k;
    }

    /**
     * Trains for {@code config.epochs()} epochs, telling {@code listener} (may be null) after each,
     * and returns every epoch's statistics. {@code test} may be null.
     */
    public List<EpochStats> sgd(Dataset train, Dataset test, TrainingConfig config, EpochListener listener) {
        checkFits(train);
        if (test != null) {
            checkFits(test);
        }
        if (config.batchSize() > maxBatch) {
            throw new IllegalArgumentException("batch size " + config.batchSize()
                    + " exceeds this trainer's buffers (" + maxBatch + ")");
        }
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        List<EpochStats> history = new ArrayList<>(config.epochs());
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            if (config.shuffle()) {
                shuffle(order, shuffler);
            }
            long start = System.nanoTime();
            double cost = 0;
            int minibatch = 0;
            for (int from = 0; from < n; from += config.batchSize()) {
                int count = Math.min(config.batchSize(), n - from);
                double c = updateMiniBatch(train, order, from, count, config.learningRate());
                if (!Double.isFinite(c)) {
                    throw new TrainingDivergedException(epoch, minibatch + 1, config.learningRate());
                }
                cost += c;
                minibatch++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double accuracy = test == null ? Double.NaN : accuracy(test);
            EpochStats stats = new EpochStats(epoch, seconds, n / seconds, cost / n, accuracy);
            history.add(stats);
            if (listener != null) {
                listener.epochDone(stats);
            }
        }
        return history;
    }

    /** Fisher-Yates, driven by the seeded stream so that the same seed gives the same order. */
    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * One step of gradient descent on the minibatch {@code order[from .. from+count)}: gathers the
     * examples, backpropagates, and moves every parameter by {@code -learningRate} times the
     * gradient averaged over the minibatch. Returns the minibatch's summed cost (before the step).
     */
    public double updateMiniBatch(Dataset data, int[] order, int from, int count, float learningRate) {
        gather(data, order, from, count);
        double cost = backprop(count);
        k.sgdStep(net.parameters(), gradient, gradient.length, learningRate / count);
        return cost;
    }

    /** Copies the chosen examples into the contiguous minibatch buffer. */
    private void gather(Dataset data, int[] order, int from, int count) {
        if (count > maxBatch) {
            throw new IllegalArgumentException("minibatch of " + count + " exceeds " + maxBatch);
        }
        int in = net.inputSize();
        float[] pixels = data.pixels();
        int[] labels = data.labels();
        for (int r = 0; r < count; r++) {
            int e = order[from + r];
            System.arraycopy(pixels, e * in, input, r * in, in);
            batchLabels[r] = labels[e];
        }
    }

    /**
     * Backpropagation over the {@code rows} gathered examples: the forward pass, the cost, then,
     * layer by layer from the output, every example's desired nudges to the weighted inputs, summed
     * into the gradient of every weight and bias. Returns the summed cost; the gradient (of the
     * summed, not averaged, cost) is left in {@link #gradient()}.
     */
    double backprop(int rows) {
        feedforward(rows);
        int last = net.layers() - 1;
        double cost = net.cost().costAndOutputNudges(k, rows, net.outputSize(), activations[last],
                batchLabels, 0, nudges[last]);
        Arrays.fill(gradient, 0f);
        float[] w = net.parameters();
        for (int l = last; l >= 0; l--) {
            int in = net.size(l), out = net.size(l + 1);
            float[] prev = l == 0 ? input : activations[l - 1];
            // dW (out, in) += dZ^T (out, rows) * A_prev (rows, in): the weight nudges are
            // proportional to the previous layer's activations.
            k.accumulateWeightGradient(rows, in, out, nudges[l], 0, out, prev, 0, in,
                    gradient, net.weightOffset(l), in);
            k.accumulateBiasGradient(rows, out, nudges[l], 0, out, gradient, net.biasOffset(l));
            if (l > 0) {
                // dA_prev (rows, in) = dZ (rows, out) * W (out, in): what every neuron of this
                // layer wants from the previous one, weighted by the weights, summed.
                k.inputGradient(rows, in, out, nudges[l], 0, out, w, net.weightOffset(l), in,
                        nudges[l - 1], 0, in);
                net.activation(l - 1).backward(k, rows * in, activations[l - 1], 0, nudges[l - 1], 0);
            }
        }
        return cost;
    }

    /** The forward pass over the first {@code rows} examples of the input buffer. */
    private void feedforward(int rows) {
        float[] w = net.parameters();
        for (int l = 0; l < net.layers(); l++) {
            int in = net.size(l), out = net.size(l + 1);
            float[] prev = l == 0 ? input : activations[l - 1];
            // Z (rows, out) = A_prev (rows, in) * W^T + b, then A = f(Z) in place.
            k.forward(rows, in, out, prev, 0, in, w, net.weightOffset(l), in, w, net.biasOffset(l),
                    activations[l], 0, out);
            net.activation(l).forward(k, rows, out, activations[l], 0, activations[l], 0);
        }
    }

    /**
     * The gradient of the summed cost of the last minibatch passed to {@link #backprop} or
     * {@link #updateMiniBatch}, in the network's parameter layout: the live array.
     */
    public float[] gradient() {
        return gradient;
    }

    /**
     * Computes the gradient of the summed cost of examples {@code order[from .. from+count)}
     * without changing the network, and returns their summed cost.
     */
    public double computeGradient(Dataset data, int[] order, int from, int count) {
        gather(data, order, from, count);
        return backprop(count);
    }

    /** The fraction of {@code data} whose highest output is the right class. Allocates nothing. */
    public double accuracy(Dataset data) {
        checkFits(data);
        int in = net.inputSize(), classes = net.outputSize();
        float[] pixels = data.pixels();
        float[] out = activations[net.layers() - 1];
        int correct = 0;
        for (int from = 0; from < data.size(); from += maxBatch) {
            int count = Math.min(maxBatch, data.size() - from);
            System.arraycopy(pixels, from * in, input, 0, count * in);
            feedforward(count);
            for (int r = 0; r < count; r++) {
                if (Network.argmax(out, r * classes, classes) == data.label(from + r)) {
                    correct++;
                }
            }
        }
        return data.size() == 0 ? Double.NaN : (double) correct / data.size();
    }

    private void checkFits(Dataset data) {
        if (data.inputSize() != net.inputSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.inputSize()
                    + " pixels per example but the network takes " + net.inputSize() + " inputs");
        }
        if (data.classes() > net.outputSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.classes()
                    + " classes but the network has " + net.outputSize() + " outputs");
        }
    }
}
