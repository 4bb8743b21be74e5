package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.AtomicFiles;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What each first-layer neuron looks for: its incoming weights drawn as a 28x28 picture. */
@Command(name = "weights", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Draw each first-layer neuron's incoming weights as a 28x28 image, in a grid: blue where a"
            + " bright pixel excites the neuron, red where it inhibits it, stronger colour for larger weights.",
        footer = {"", "Example:", "  ./simdnet weights --model lecture.simdnet --png weights.png"})
final class WeightsCommand implements Callable<Integer> {

    private static final int SCALE = 4;
    private static final int GAP = 6;
    private static final int LABEL = 14;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by train --save.")
    Path model;

    @Option(names = "--png", paramLabel = "FILE", required = true, description = "Where to write the picture.")
    Path png;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new UsageException("--model " + model + ": no such file");
        }
        if (!png.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--png " + png + ": give a file name ending in .png");
        }
        Network net = Models.load(model, Activation.SIGMOID, Cost.MSE);
        int side = (int) Math.round(Math.sqrt(net.inputSize()));
        if (side * side != net.inputSize()) {
            throw new UsageException(model + " takes " + net.inputSize() + " inputs: not a square image");
        }
        int neurons = net.size(1);
        int cols = (int) Math.ceil(Math.sqrt(neurons));
        int rows = (neurons + cols - 1) / cols;
        int cell = side * SCALE;
        BufferedImage img = new BufferedImage(GAP + cols * (cell + GAP), GAP + rows * (cell + GAP + LABEL),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        float[] p = net.parameters();
        for (int n = 0; n < neurons; n++) {
            int off = net.weightOffset(0) + n * net.inputSize();
            float max = 1e-12f;
            for (int i = 0; i < net.inputSize(); i++) {
                max = Math.max(max, Math.abs(p[off + i]));
            }
            int x0 = GAP + (n % cols) * (cell + GAP), y0 = GAP + (n / cols) * (cell + GAP + LABEL);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float v = p[off + y * side + x] / max; // -1..1, each neuron on its own scale
                    int fade = Math.round(255 * (1 - Math.abs(v)));
                    int rgb = v >= 0 ? (fade << 16) | (fade << 8) | 255 : (255 << 16) | (fade << 8) | fade;
                    g.setColor(new Color(rgb));
                    g.fillRect(x0 + x * SCALE, y0 + y * SCALE, SCALE, SCALE);
                }
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString("neuron " + n, x0, y0 + cell + LABEL - 3);
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(png, bytes.toByteArray());
        spec.commandLine().getOut().println("Drew the " + neurons + " first-layer neurons of " + net + " to " + png);
        return Main.OK;
    }
}
