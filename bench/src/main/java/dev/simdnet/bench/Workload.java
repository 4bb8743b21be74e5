package dev.simdnet.bench;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;

/** The four workloads of BENCHMARKS.md: Fashion-MNIST-sized inputs, minibatch 100. */
enum Workload {
    /** The lecture's network. */
    W1(new int[] {784, 16, 16, 10}, Activation.SIGMOID, Cost.MSE, 3.0f, 0f),
    W2(new int[] {784, 128, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 0.1f, 0f),
    /** Simard's MLP. */
    W3(new int[] {784, 800, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 0.05f, 0.9f),
    W4(new int[] {784, 1024, 1024, 10}, Activation.RELU, Cost.CROSS_ENTROPY, 0.05f, 0.9f);

    private final int[] layers;
    private final Activation hidden;
    private final Cost cost;
    private final float learningRate;
    private final float momentum;

    Workload(int[] layers, Activation hidden, Cost cost, float learningRate, float momentum) {
        this.layers = layers;
        this.hidden = hidden;
        this.cost = cost;
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    static Workload named(String name) {
        for (Workload w : values()) {
            if (w.name().equalsIgnoreCase(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + name + "': choose W1, W2, W3 or W4");
    }

    int[] layers() {
        return layers.clone();
    }

    Activation hidden() {
        return hidden;
    }

    Cost cost() {
        return cost;
    }

    float learningRate() {
        return learningRate;
    }

    float momentum() {
        return momentum;
    }
}
