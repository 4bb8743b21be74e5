package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Dataset;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import dev.simdnet.data.TrainTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A saved model's accuracy on a test set: overall, per class, and the confusion matrix. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Test a saved model: accuracy, per-class accuracy and the confusion matrix.",
        footer = {"", "Examples:", "  ./simdnet train --save model.simdnet && ./simdnet evaluate --model model.simdnet",
            "  ./simdnet evaluate --model weights.npz --data ../shared/data/fashion-mnist"})
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true,
            description = "A model saved by train --save (simdnet's format or .npz).")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "sigmoid",
            description = "Hidden activation for an .npz without meta. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "mse",
            description = "Loss (so output activation) for an .npz without meta. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the confusion matrix as a heatmap.")
    Path plot;

    @Override
    public Integer call() throws IOException {
        Activation hidden = Activation.parse(activation, false);
        Cost cost = Cost.parse(loss);
        data.validate();
        if (!Files.isRegularFile(model)) {
            throw new UsageException("--model " + model + ": no such file");
        }
        Network net = Models.load(model, hidden, cost);
        PrintWriter out = spec.commandLine().getOut();
        TrainTest sets = data.load(out);
        Dataset test = sets.test();
        if (test.inputSize() != net.inputSize() || test.classes() > net.outputSize()) {
            throw new UsageException(model + " is a " + net + " network; " + sets.name() + " has "
                    + test.inputSize() + " pixels and " + test.classes() + " classes");
        }
        int classes = net.outputSize();
        long[][] confusion = new long[classes][classes];
        for (int i = 0; i < test.size(); i++) {
            confusion[test.label(i)][net.predict(test.image(i))]++;
        }
        long correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += confusion[c][c];
        }
        out.printf(Locale.ROOT, "%s on %s test set (%,d examples): accuracy %.2f%%%n", net, sets.name(), test.size(),
                100.0 * correct / test.size());
        out.println();
        out.println("class  examples  accuracy");
        for (int c = 0; c < classes; c++) {
            long n = 0;
            for (long v : confusion[c]) {
                n += v;
            }
            out.printf(Locale.ROOT, "%5d  %8d  %7.2f%%%n", c, n, n == 0 ? Double.NaN : 100.0 * confusion[c][c] / n);
        }
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted class)");
        StringBuilder head = new StringBuilder("      ");
        for (int c = 0; c < classes; c++) {
            head.append(String.format(Locale.ROOT, "%6d", c));
        }
        out.println(head);
        for (int t = 0; t < classes; t++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", t));
            for (int p = 0; p < classes; p++) {
                row.append(String.format(Locale.ROOT, "%6d", confusion[t][p]));
            }
            out.println(row);
        }
        if (plot != null) {
            List<String> names = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                names.add(sets.name().equals("fashion-mnist") && classes == 10 ? Plots.FASHION_CLASSES.get(c) : String.valueOf(c));
            }
            Plots.confusion(plot, net + " on " + sets.name() + " test set", names, confusion);
            out.println("Plot written to " + plot);
        }
        return Main.OK;
    }
}
