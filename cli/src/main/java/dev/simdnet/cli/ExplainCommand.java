package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Dataset;
import dev.simdnet.core.Explanation;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.data.TrainTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The lecture's story for one test example, with the trainer's own numbers. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Backpropagation of one test example: the output neurons' activations against their targets and"
            + " desired nudges, the weights and biases the cost is most sensitive to, and the nudges each layer"
            + " wants from the one before.",
        footer = {"", "Example:", "  ./simdnet explain --model lecture.simdnet --dataset sample --index 17"})
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by train --save.")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--index", paramLabel = "N", required = true, description = "Which example of the test set.")
    int index;

    @Option(names = "--top", paramLabel = "N", defaultValue = "8", description = "Sensitive parameters to list. Default: ${DEFAULT-VALUE}.")
    int top;

    @Override
    public Integer call() throws IOException {
        data.validate();
        if (!Files.isRegularFile(model)) {
            throw new UsageException("--model " + model + ": no such file");
        }
        if (top < 1) {
            throw new UsageException("--top must be positive, got " + top);
        }
        Network net = Models.load(model, Activation.SIGMOID, Cost.MSE);
        PrintWriter out = spec.commandLine().getOut();
        TrainTest sets = data.load(out);
        Dataset test = sets.test();
        if (index < 0 || index >= test.size()) {
            throw new UsageException("--index " + index + " is outside the test set: 0 to " + (test.size() - 1));
        }
        if (test.inputSize() != net.inputSize() || test.classes() > net.outputSize()) {
            throw new UsageException(model + " is a " + net + " network; " + sets.name() + " does not fit it");
        }
        Explanation e;
        try (Trainer trainer = new Trainer(net, 1, KernelProvider.get())) {
            e = trainer.explain(test, index);
        }
        int layers = net.layers();
        float[] output = e.activations()[layers];
        out.printf(Locale.ROOT, "Example %d of the %s test set, labelled %d; %s; cost %.4f%n%n", index, sets.name(),
                e.label(), net, e.cost());
        out.println(net.cost() == Cost.MSE
                ? "Output neurons: activation, target, and the nudge each wants (-dC/da: the change that lowers the cost)"
                : "Output neurons: activation, target, and the nudge each wants to its weighted input (-dC/dz)");
        for (int j = 0; j < output.length; j++) {
            out.printf(Locale.ROOT, "  %2d  %.3f  %d  %+.4f%s%n", j, output[j], j == e.label() ? 1 : 0,
                    -e.activationGrads()[layers][j], j == e.label() ? "   <- the right answer" : "");
        }
        // Sensitivities: |dC/dp|. A typical weight's is the median over the weights the example
        // touches at all (a blank pixel's weights have none).
        float[] g = e.gradient();
        double[] weightGrads = IntStream.range(0, net.layers()).flatMap(l -> IntStream.range(net.weightOffset(l),
                net.biasOffset(l))).mapToDouble(i -> Math.abs(g[i])).filter(v -> v > 0).sorted().toArray();
        double typical = weightGrads.length == 0 ? 0 : weightGrads[weightGrads.length / 2];
        Integer[] order = IntStream.range(0, g.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -Math.abs(g[i])));
        out.printf(Locale.ROOT, "%nThe parameters the cost is most sensitive to (a typical weight's |dC/dw|: %.2e)%n", typical);
        for (int r = 0; r < Math.min(top, g.length); r++) {
            int i = order[r];
            int l = 0;
            while (l + 1 < net.layers() && i >= net.weightOffset(l + 1)) {
                l++;
            }
            String what;
            if (i < net.biasOffset(l)) {
                int in = net.size(l), j = (i - net.weightOffset(l)) / in, k = (i - net.weightOffset(l)) % in;
                what = String.format(Locale.ROOT, "weight from %s %d to %s %d", l == 0 ? "pixel" : "layer " + l + " neuron", k,
                        l + 1 == layers ? "output" : "layer " + (l + 1) + " neuron", j);
            } else {
                what = String.format(Locale.ROOT, "bias of %s %d", l + 1 == layers ? "output" : "layer " + (l + 1) + " neuron",
                        i - net.biasOffset(l));
            }
            out.printf(Locale.ROOT, "  %-44s dC/dp %+.3e: %s%n", what, g[i],
                    typical > 0 ? String.format(Locale.ROOT, "the cost is %.0f times more sensitive to it than to a typical weight",
                            Math.abs(g[i]) / typical) : "");
        }
        for (int l = layers - 1, shown = 0; l >= 1 && shown < 2; l--, shown++) {
            out.printf(Locale.ROOT, "%nNudges wanted from layer %d's %d neurons (-dC/da: %s)%n", l, net.size(l),
                    shown == 0 ? "each output neuron's wish, weighted by its weights, summed"
                            : "the same, one layer further back");
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < net.size(l); j++) {
                sb.append(String.format(Locale.ROOT, "%s%3d: %+.4f", j % 6 == 0 ? "\n  " : "   ", j, -e.activationGrads()[l][j]));
            }
            out.println(sb.substring(1));
        }
        return Main.OK;
    }
}
