package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Classifies pictures of digits, prepared the way MNIST's were. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Classify PNG or JPEG images of digits of any size, dark on light or the reverse, off centre:"
            + " each is cropped to its ink, scaled to fit 20x20 and centred by mass in 28x28, as MNIST's digits were.",
        footer = {"", "Examples:", "  ./simdnet predict --model lecture.simdnet my-seven.png",
            "  ./simdnet predict --model lecture.simdnet --json photos/*.jpg"})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by train --save.")
    Path model;

    @Option(names = "--json", description = "Print a JSON array: one object per image with file, digit, activations.")
    boolean json;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Images to classify.")
    List<Path> images;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new UsageException("--model " + model + ": no such file");
        }
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                throw new UsageException(p + ": no such file");
            }
        }
        Network net = Models.load(model, Activation.SIGMOID, Cost.MSE);
        if (net.inputSize() != 28 * 28) {
            throw new UsageException(model + " takes " + net.inputSize() + " inputs, not a 28x28 image");
        }
        List<float[]> inputs = new ArrayList<>();
        for (Path p : images) {
            inputs.add(DigitImages.prepare(p));
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Object> results = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            float[] a = net.feedforward(inputs.get(i));
            int digit = 0;
            for (int j = 1; j < a.length; j++) {
                if (a[j] > a[digit]) {
                    digit = j;
                }
            }
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", images.get(i).toString());
                r.put("digit", digit);
                List<Object> acts = new ArrayList<>();
                for (float v : a) {
                    acts.add(v);
                }
                r.put("activations", acts);
                results.add(r);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < a.length; j++) {
                    sb.append(String.format(Locale.ROOT, " %d:%.3f", j, a[j]));
                }
                out.println(images.get(i) + ": " + digit + "   (outputs" + sb + ")");
            }
        }
        if (json) {
            out.print(Json.write(results));
        }
        out.flush();
        return Main.OK;
    }
}
