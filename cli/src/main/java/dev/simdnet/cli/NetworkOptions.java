package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import picocli.CommandLine.Option;

/** The network's shape and how many threads train it; shared by train and bench. */
final class NetworkOptions {

    @Option(names = "--layers", paramLabel = "SIZES", defaultValue = "784,16,16,10",
            description = "Layer sizes, input first, comma-separated. Default: ${DEFAULT-VALUE}.")
    String layers;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "sigmoid",
            description = "Hidden layers' activation: sigmoid, tanh or relu. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "mse",
            description = "mse (quadratic cost, sigmoid outputs) or cross-entropy (softmax outputs). Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads to train on; the weights are the same bit for bit whatever N. Default: all cores.")
    Integer threads;

    int[] sizes() {
        String[] parts = layers.split(",", -1);
        if (parts.length < 2) {
            throw new UsageException("--layers needs at least two sizes, input and output, such as 784,16,16,10; got '"
                    + layers + "'");
        }
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--layers: '" + parts[i].trim() + "' is not a number; write sizes like 784,16,16,10");
            }
            if (sizes[i] <= 0 || sizes[i] > 1 << 20) {
                throw new UsageException("--layers: size " + sizes[i] + " must be between 1 and " + (1 << 20));
            }
        }
        return sizes;
    }

    Activation hidden() {
        return Activation.parse(activation, false);
    }

    Cost cost() {
        return Cost.parse(loss);
    }

    /** The threads asked for, or all cores. */
    int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1 || t > 1024) {
            throw new UsageException("--threads must be a positive number of threads (at most 1024), got " + t);
        }
        return t;
    }
}
