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

    @Option(names = "--png", paramLabel = "FILE", description = "Also draw the example, each layer's activations as"
            + " neurons, and the nudges each neuron wants, in one picture.")
    Path png;

    @Override
    public Integer call() throws IOException {
        data.validate();
        if (!Files.isRegularFile(model)) {
            throw new UsageException("--model " + model + ": no such file");
        }
        if (png != null && !png.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--png " + png + ": give a file name ending in .png");
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
        if (png != null) {
            draw(e, net);
            out.println("\nPicture written to " + png);
        }
        return Main.OK;
    }

    /**
     * The example on the left, then one column of neurons per layer: the fill is the activation
     * (white 0, black 1), the bar beside it the nudge the neuron wants (green up, red down, longest
     * for the largest in its layer).
     */
    private void draw(Explanation e, Network net) throws IOException {
        int side = (int) Math.round(Math.sqrt(net.inputSize()));
        int pix = side * side == net.inputSize() ? 6 : 0;
        int layers = net.layers();
        int maxNeurons = 0;
        for (int l = 1; l <= layers; l++) {
            maxNeurons = Math.max(maxNeurons, Math.min(net.size(l), 32));
        }
        int r = 9, rowH = 2 * r + 6, colW = 150, top = 40;
        int width = 30 + side * pix + 40 + layers * colW;
        int height = Math.max(top + side * pix + 40, top + maxNeurons * rowH + 40);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(width, height,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        g.drawString("example labelled " + e.label() + ", cost " + String.format(Locale.ROOT, "%.4f", e.cost()), 20, 20);
        float[] x = e.activations()[0];
        for (int i = 0; pix > 0 && i < x.length; i++) {
            int v = Math.round(255 * (1 - Math.max(0, Math.min(1, x[i]))));
            g.setColor(new java.awt.Color(v, v, v));
            g.fillRect(30 + (i % side) * pix, top + (i / side) * pix, pix, pix);
        }
        for (int l = 1; l <= layers; l++) {
            float[] a = e.activations()[l];
            float[] grad = e.activationGrads()[l];
            int shown = Math.min(a.length, 32);
            float maxNudge = 1e-12f;
            for (int j = 0; j < shown; j++) {
                maxNudge = Math.max(maxNudge, Math.abs(grad[j]));
            }
            int cx = 30 + side * pix + 40 + (l - 1) * colW + r;
            g.setColor(java.awt.Color.BLACK);
            g.drawString(l == layers ? "output" : "layer " + l + (a.length > shown ? " (first 32)" : ""), cx - r, top - 8);
            for (int j = 0; j < shown; j++) {
                int cy = top + j * rowH + r;
                float act = Math.max(0, Math.min(1, a[j]));
                int v = Math.round(255 * (1 - act));
                g.setColor(new java.awt.Color(v, v, v));
                g.fillOval(cx - r, cy - r, 2 * r, 2 * r);
                g.setColor(java.awt.Color.GRAY);
                g.drawOval(cx - r, cy - r, 2 * r, 2 * r);
                float nudge = -grad[j] / maxNudge; // -1..1
                int len = Math.round(Math.abs(nudge) * 60);
                g.setColor(nudge >= 0 ? new java.awt.Color(0x2ca02c) : new java.awt.Color(0xd62728));
                g.fillRect(cx + r + 6, cy - 4, Math.max(1, len), 8);
                if (l == layers) {
                    g.setColor(j == e.label() ? java.awt.Color.BLACK : java.awt.Color.GRAY);
                    g.drawString(String.valueOf(j), cx - r - 14, cy + 4);
                }
            }
        }
        g.dispose();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", bytes);
        dev.simdnet.core.AtomicFiles.write(png, bytes.toByteArray());
    }
}
