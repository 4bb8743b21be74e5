package dev.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --save/--init/--threads, evaluate and export, driven in-process. */
class ModelCommandsTest {

    @TempDir
    Path dir;

    private static double percent(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void savedModelsEvaluateAndExport() throws IOException {
        Path model = dir.resolve("lecture.simdnet");
        CliTest.Result train = CliTest.run("train", "--dataset", "sample", "--epochs", "2", "--save", model.toString());
        assertEquals(0, train.status(), train.err());
        assertTrue(Files.size(model) > 4 * 12_000, "784-16-16-10 has 12,960 parameters");
        double trained = percent(train.out(), "Done in .* test accuracy ([0-9.]+)%");

        CliTest.Result eval = CliTest.run("evaluate", "--model", model.toString(), "--dataset", "sample");
        assertEquals(0, eval.status(), eval.err());
        // The same model on the same 2,000 test digits: the same accuracy, per example inference.
        assertEquals(trained, percent(eval.out(), "accuracy ([0-9.]+)%"), 0.051, eval.out());
        assertTrue(eval.out().contains("confusion matrix"), eval.out());
        assertEquals(10, eval.out().lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+[0-9.]+%")).count(), eval.out());

        Path npz = dir.resolve("lecture.npz");
        CliTest.Result export = CliTest.run("export", "--model", model.toString(), "--format", "npz", "--out", npz.toString());
        assertEquals(0, export.status(), export.err());
        CliTest.Result evalNpz = CliTest.run("evaluate", "--model", npz.toString(), "--dataset", "sample");
        assertEquals(0, evalNpz.status(), evalNpz.err());
        assertEquals(percent(eval.out(), "accuracy ([0-9.]+)%"), percent(evalNpz.out(), "accuracy ([0-9.]+)%"));
    }

    @Test
    void plotsAreRealImages() throws IOException {
        Path model = dir.resolve("m.npz");
        Path curve = dir.resolve("curve.png");
        Path heat = dir.resolve("confusion.png");
        CliTest.Result train = CliTest.run("train", "--dataset", "sample", "--epochs", "3", "--save", model.toString(),
                "--plot", curve.toString());
        assertEquals(0, train.status(), train.err());
        CliTest.Result eval = CliTest.run("evaluate", "--model", model.toString(), "--dataset", "sample", "--plot",
                heat.toString());
        assertEquals(0, eval.status(), eval.err());
        for (Path png : new Path[] {curve, heat}) {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
            assertTrue(img != null, png + " is not a readable image");
            assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, png + ": " + img.getWidth() + "x" + img.getHeight());
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            for (int y = 0; y < img.getHeight(); y += 3) {
                for (int x = 0; x < img.getWidth(); x += 3) {
                    colours.add(img.getRGB(x, y));
                }
            }
            // Axes, text, two series or a colour scale: far from a blank canvas.
            assertTrue(colours.size() > 20, png + " has only " + colours.size() + " colours");
        }
        Path grid = dir.resolve("weights.png");
        CliTest.Result w = CliTest.run("weights", "--model", model.toString(), "--png", grid.toString());
        assertEquals(0, w.status(), w.err());
        java.awt.image.BufferedImage weights = javax.imageio.ImageIO.read(grid.toFile());
        // 16 neurons of 784 inputs: a 4x4 grid of 28x28 pictures drawn 4 pixels per weight.
        assertEquals(6 + 4 * (28 * 4 + 6), weights.getWidth());
        int blue = 0, red = 0;
        for (int y = 0; y < weights.getHeight(); y++) {
            for (int x = 0; x < weights.getWidth(); x++) {
                int rgb = weights.getRGB(x, y) & 0xFFFFFF;
                if ((rgb & 0xFF) == 255 && (rgb >> 16) < 128) {
                    blue++;
                } else if ((rgb >> 16) == 255 && (rgb & 0xFF) < 128) {
                    red++;
                }
            }
        }
        assertTrue(blue > 100 && red > 100, "positive and negative weights both drawn: " + blue + " / " + red);
        CliTest.Result bad = CliTest.run("train", "--dataset", "sample", "--plot", dir.resolve("x.jpg").toString());
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("ending in .png"), bad.err());
    }

    @Test
    void explainTellsTheLecturesStory() throws IOException {
        Path model = dir.resolve("lecture.simdnet");
        assertEquals(0, CliTest.run("train", "--dataset", "sample", "--epochs", "2", "--save", model.toString()).status());
        Path picture = dir.resolve("explain.png");
        CliTest.Result r = CliTest.run("explain", "--model", model.toString(), "--dataset", "sample", "--index", "17",
                "--png", picture.toString());
        assertEquals(0, r.status(), r.err());
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(picture.toFile());
        assertTrue(img != null && img.getWidth() > 400 && img.getHeight() > 300, "explain's picture");
        int green = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == 0x2ca02c) {
                    green++;
                }
            }
        }
        assertTrue(green > 50, "some neurons want to be more active: " + green + " green pixels");
        assertEquals(1, r.out().lines().filter(l -> l.endsWith("<- the right answer")).count(), r.out());
        assertTrue(r.out().matches("(?s).*the cost is \\d+ times more sensitive to it than to a typical weight.*"), r.out());
        assertTrue(r.out().contains("Nudges wanted from layer 2's 16 neurons"), r.out());
        assertTrue(r.out().contains("Nudges wanted from layer 1's 16 neurons"), r.out());
        CliTest.Result bad = CliTest.run("explain", "--model", model.toString(), "--dataset", "sample", "--index", "2000");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("outside the test set: 0 to 1999"), bad.err());
    }

    @Test
    void initContinuesTrainingAndMustAgreeWithLayers() throws IOException {
        Path first = dir.resolve("first.npz");
        assertEquals(0, CliTest.run("train", "--dataset", "sample", "--epochs", "1", "--save", first.toString()).status());
        CliTest.Result again = CliTest.run("train", "--dataset", "sample", "--epochs", "1", "--init", first.toString());
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("784-16-16-10 sigmoid, mse"), again.out());
        CliTest.Result clash = CliTest.run("train", "--dataset", "sample", "--init", first.toString(), "--layers", "784,32,10");
        assertEquals(2, clash.status());
        assertTrue(clash.err().contains("has layers 784,16,16,10 but --layers says 784,32,10"), clash.err());
    }

    @Test
    void threadsChangeNothingButTheTime() throws IOException {
        Path one = dir.resolve("one.simdnet");
        Path two = dir.resolve("two.simdnet");
        Path three = dir.resolve("three.simdnet");
        String[] common = {"train", "--dataset", "sample", "--layers", "784,64,10", "--activation", "relu", "--loss",
            "cross-entropy", "--lr", "0.1", "--momentum", "0.9", "--epochs", "2"};
        assertEquals(0, CliTest.run(concat(common, "--threads", "1", "--save", one.toString())).status());
        assertEquals(0, CliTest.run(concat(common, "--threads", "2", "--save", two.toString())).status());
        assertEquals(0, CliTest.run(concat(common, "--threads", "3", "--save", three.toString())).status());
        // Two epochs on the bundled sample: the same bytes, so the same weights bit for bit.
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(three));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void corruptOrMissingModelsAreBadInput() throws IOException {
        Path bad = dir.resolve("bad.simdnet");
        Files.writeString(bad, "definitely not a model");
        CliTest.Result r = CliTest.run("evaluate", "--model", bad.toString(), "--dataset", "sample");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("is not a simdnet model file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = CliTest.run("evaluate", "--model", dir.resolve("absent.npz").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no such file"), r.err());
        r = CliTest.run("export", "--model", bad.toString(), "--format", "onnx", "--out", "x.onnx");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--format onnx is not supported"), r.err());
    }

    @Test
    void badTrainingOptionsAreRefused() {
        for (String[] args : new String[][] {
            {"train", "--threads", "0"}, {"train", "--momentum", "1.5"}, {"train", "--weight-decay", "-1"},
            {"train", "--save", dir.resolve("no/such/folder/m.npz").toString()}}) {
            CliTest.Result r = CliTest.run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
