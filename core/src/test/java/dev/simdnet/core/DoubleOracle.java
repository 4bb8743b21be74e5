package dev.simdnet.core;

/**
 * An independent double-precision forward pass and cost, written straight from the definitions,
 * used as the oracle for finite-difference gradient checks. It shares no code with the kernels.
 */
final class DoubleOracle {

    private DoubleOracle() {
    }

    /** The summed cost of the examples (x[e], labels[e]) for the given parameters. */
    static double cost(Network net, double[] params, double[][] x, int[] labels) {
        double total = 0;
        for (int e = 0; e < x.length; e++) {
            double[] a = forward(net, params, x[e]);
            int label = labels[e];
            if (net.cost() == Cost.MSE) {
                for (int j = 0; j < a.length; j++) {
                    double d = a[j] - (j == label ? 1 : 0);
                    total += 0.5 * d * d;
                }
            } else {
                total -= Math.log(a[label]);
            }
        }
        return total;
    }

    /**
     * The derivative of {@link #cost} with respect to parameter i, by central differences of step
     * h; params is left as it was.
     */
    static double centralDifference(Network net, double[] params, double[][] x, int[] labels, int i, double h) {
        double saved = params[i];
        params[i] = saved + h;
        double up = cost(net, params, x, labels);
        params[i] = saved - h;
        double down = cost(net, params, x, labels);
        params[i] = saved;
        return (up - down) / (2 * h);
    }

    static double[] forward(Network net, double[] params, double[] x) {
        double[] a = x;
        for (int l = 0; l < net.layers(); l++) {
            int in = net.size(l), out = net.size(l + 1);
            double[] z = new double[out];
            for (int j = 0; j < out; j++) {
                double s = params[net.biasOffset(l) + j];
                for (int k = 0; k < in; k++) {
                    s += params[net.weightOffset(l) + j * in + k] * a[k];
                }
                z[j] = s;
            }
            a = activate(net.activation(l), z);
        }
        return a;
    }

    private static double[] activate(Activation f, double[] z) {
        double[] a = new double[z.length];
        switch (f) {
            case SIGMOID -> {
                for (int j = 0; j < z.length; j++) {
                    a[j] = 1 / (1 + Math.exp(-z[j]));
                }
            }
            case TANH -> {
                for (int j = 0; j < z.length; j++) {
                    a[j] = Math.tanh(z[j]);
                }
            }
            case RELU -> {
                for (int j = 0; j < z.length; j++) {
                    a[j] = Math.max(0, z[j]);
                }
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double v : z) {
                    max = Math.max(max, v);
                }
                for (int j = 0; j < z.length; j++) {
                    a[j] = Math.exp(z[j] - max);
                    sum += a[j];
                }
                for (int j = 0; j < z.length; j++) {
                    a[j] /= sum;
                }
            }
        }
        return a;
    }
}
