package dev.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Dataset;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import dev.simdnet.data.Datasets;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict on real test digits rendered as a user's pictures would be: large, inverted, off centre. */
class PredictCommandTest {

    @TempDir
    Path dir;

    @Test
    void readsRenderedDigitsAsWellAsTheOriginals() throws IOException {
        Path model = dir.resolve("lecture.simdnet");
        assertEquals(0, CliTest.run("train", "--dataset", "sample", "--save", model.toString()).status());
        Network net = Models.load(model, Activation.SIGMOID, Cost.MSE);
        Dataset test = Datasets.sample().test();
        int n = 120;
        int originalRight = 0;
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--json"));
        for (int i = 0; i < n; i++) {
            float[] px = test.image(i);
            if (net.predict(px) == test.label(i)) {
                originalRight++;
            }
            // Five times larger, dark ink on white paper, somewhere in a 320x240 picture.
            int scale = 5, ox = 20 + (i * 37) % 150, oy = 10 + (i * 23) % 90;
            BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 240; y++) {
                for (int x = 0; x < 320; x++) {
                    int sx = (x - ox) / scale, sy = (y - oy) / scale;
                    float v = x >= ox && y >= oy && sx < 28 && sy < 28 ? px[sy * 28 + sx] : 0f;
                    int g = Math.round(255 * (1 - v));
                    img.setRGB(x, y, (g << 16) | (g << 8) | g);
                }
            }
            Path png = dir.resolve("digit-" + i + ".png");
            ImageIO.write(img, "png", png.toFile());
            args.add(png.toString());
        }
        CliTest.Result r = CliTest.run(args.toArray(new String[0]));
        assertEquals(0, r.status(), r.err());
        Matcher m = Pattern.compile("\"file\": \"[^\"]*digit-(\\d+)\\.png\",\\s*\"digit\": (\\d)").matcher(r.out());
        int seen = 0, right = 0;
        while (m.find()) {
            seen++;
            if (Integer.parseInt(m.group(2)) == test.label(Integer.parseInt(m.group(1)))) {
                right++;
            }
        }
        assertEquals(n, seen, r.out());
        double original = (double) originalRight / n, rendered = (double) right / n;
        System.out.printf("predict: %.1f%% of %d rendered digits right, %.1f%% of the 28x28 originals%n",
                100 * rendered, n, 100 * original);
        assertTrue(rendered >= original - 0.05,
                "rendered digits: " + rendered + ", the same digits as 28x28 originals: " + original);
        assertTrue(r.out().contains("\"activations\": ["), r.out());
    }

    @Test
    void refusesBlankPicturesAndNonImages() throws IOException {
        Path model = dir.resolve("m.simdnet");
        assertEquals(0, CliTest.run("train", "--dataset", "sample", "--epochs", "1", "--save", model.toString()).status());
        BufferedImage white = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 100; x++) {
                white.setRGB(x, y, 0xF0F0F0);
            }
        }
        Path blank = dir.resolve("blank.png");
        ImageIO.write(white, "png", blank.toFile());
        CliTest.Result r = CliTest.run("predict", "--model", model.toString(), blank.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("looks blank"), r.err());
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not a picture");
        r = CliTest.run("predict", "--model", model.toString(), text.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("is not an image"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
