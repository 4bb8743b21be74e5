package dev.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line driven in-process, as a user would type it. */
class CliTest {

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void theLecturesNetworkLearnsTheSample(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("run.json");
        Result r = run("train", "--dataset", "sample", "--report", report.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("784-16-16-10 sigmoid, mse"), r.out());
        assertEquals(10, r.out().lines().filter(l -> l.startsWith("epoch")).count(), r.out());

        String json = Files.readString(report);
        for (String field : new String[] {"layers", "activation", "loss", "batch", "lr", "epochs", "threads",
                "seed", "kernel", "jdk", "epochsDetail", "epoch", "seconds", "examplesPerSecond", "trainLoss",
                "testAccuracy", "compileMillis", "allocatedBytes"}) {
            assertTrue(json.contains("\"" + field + "\":"), "report lacks " + field + ": " + json);
        }
        assertTrue(json.contains("\"layers\": [784, 16, 16, 10]"), json);
        assertTrue(json.contains("\"lr\": 3.0"), json);
        List<Double> accuracies = numbers(json, "testAccuracy");
        assertEquals(10, accuracies.size());
        double last = accuracies.get(9);
        // The bar: 88% after 10 epochs with the defaults (NumPy gets about 90%).
        assertTrue(last >= 0.88, "test accuracy after 10 epochs: " + last);
        List<Double> losses = numbers(json, "trainLoss");
        assertTrue(losses.get(9) < losses.get(0) / 2, "the cost must fall: " + losses);
        // Each epoch's own compilation time: whole milliseconds, none negative, and together no
        // more than the JVM has spent compiling since it started (a running total would exceed it).
        List<Double> compile = numbers(json, "compileMillis");
        assertEquals(10, compile.size(), json);
        long jvmTotal = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        double sum = 0;
        for (double c : compile) {
            assertTrue(c >= 0 && c == Math.rint(c), "compileMillis " + c);
            sum += c;
        }
        assertTrue(sum <= jvmTotal, "compileMillis add up to " + sum + " ms, more than the JVM's " + jvmTotal);
        // Each epoch's allocation: whole bytes, none negative; the first, run while the kernels
        // are interpreted with their vectors on the heap, allocates at least megabytes.
        List<Double> allocated = numbers(json, "allocatedBytes");
        assertEquals(10, allocated.size(), json);
        for (double b : allocated) {
            assertTrue(b >= 0 && b == Math.rint(b), "allocatedBytes " + b);
        }
        assertTrue(allocated.get(0) > 1e6, "allocatedBytes of the first epoch: " + allocated.get(0));
    }

    private static List<Double> numbers(String json, String field) {
        List<Double> values = new ArrayList<>();
        Matcher m = Pattern.compile("\"" + field + "\": ([-0-9.Ee]+)").matcher(json);
        while (m.find()) {
            values.add(Double.parseDouble(m.group(1)));
        }
        return values;
    }

    @Test
    void trainsFromAFolderWithOtherOptions(@TempDir Path dir) throws IOException {
        // The bundled sample's files, copied out, read through --data.
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
            try (var in = CliTest.class.getResourceAsStream("/dev/simdnet/data/sample/" + f + ".gz")) {
                Files.copy(in, dir.resolve(f + ".gz"));
            }
        }
        Result r = run("train", "--data", dir.toString(), "--layers", "784,32,10", "--activation", "relu",
                "--loss", "cross-entropy", "--lr", "0.1", "--epochs", "2", "--batch", "50", "--seed", "7",
                "--no-shuffle");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("784-32-10 relu, cross-entropy"), r.out());
        Matcher m = Pattern.compile("Done in .* test accuracy ([0-9.]+)%").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) > 80, r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "train --bogus|Unknown option: '--bogus'",
        "train --layers 784|at least two sizes",
        "train --layers 784,x,10|'x' is not a number",
        "train --layers 784,0,10|must be between 1",
        "train --dataset sample --layers 100,10|starts with 100 but sample's images have 784 pixels",
        "train --dataset sample --layers 784,16,12|ends with 12 but sample has 10 classes",
        "train --lr 0|--lr must be a positive number",
        "train --lr -1|--lr must be a positive number",
        "train --batch 0|--batch must be a positive",
        "train --epochs -3|--epochs must be a positive",
        "train --epochs many|Invalid value for option '--epochs'",
        "train --activation softmax|unknown activation 'softmax'",
        "train --activation swish|choose one of sigmoid, tanh, relu",
        "train --loss hinge|unknown loss 'hinge': choose one of mse, cross-entropy",
        "train --dataset cifar|unknown dataset 'cifar'",
        "train --data /nonexistent/folder|--data /nonexistent/folder: no such folder",
        "train --dataset sample --data /tmp|either --dataset or --data",
        "frobnicate|Unmatched argument",
        "bench --threads 0|--threads must be a positive number",
        "bench --layers 784,10,x|'x' is not a number",
    })
    void badInputExitsTwoWithOneLine(String args, String expected) {
        Result r = run(args.split(" "));
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "stderr: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void corruptDataIsABadInputNotACrash(@TempDir Path dir) throws IOException {
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
            Files.writeString(dir.resolve(f), "this is not an IDX file");
        }
        Result r = run("train", "--data", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("train-images-idx3-ubyte is not an IDX file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void divergenceExitsOne() {
        Result r = run("train", "--dataset", "sample", "--layers", "784,64,64,10", "--activation", "relu",
                "--loss", "cross-entropy", "--lr", "1e30", "--epochs", "1");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("lower learning rate"), r.err());
    }

    @Test
    void benchTimesEpochsAndWritesItsReport(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("bench.json");
        Result r = run("bench", "--layers", "784,32,10", "--activation", "relu", "--loss", "cross-entropy",
                "--examples", "3000", "--epochs", "2", "--threads", "1", "--report", report.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("FMA peak of one core (estimated"), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.matches("epoch +\\d+ .* GFLOP/s .*% of peak.*")).count(), r.out());
        String json = Files.readString(report);
        for (String field : new String[] {"layers", "activation", "loss", "batch", "lr", "epochs", "threads", "seed",
                "kernel", "jdk", "epochsDetail", "epoch", "seconds", "examplesPerSecond", "trainLoss", "gflops",
                "peakGflopsPerCore", "medianGflops"}) {
            assertTrue(json.contains("\"" + field + "\":"), "report lacks " + field + ": " + json);
        }
        // 784-32-10: forward and weight gradient of both layers, input gradient of the second only.
        assertEquals(2L * 784 * 32 + 3L * 32 * 10, BenchCommand.multiplyAddsPerExample(new int[] {784, 32, 10}));
    }

    @Test
    void infoSaysWhichKernelsAndWhy() {
        Result r = run("info");
        assertEquals(0, r.status(), r.err());
        for (String line : new String[] {"java ", "os ", "cores ", "vector ", "kernels "}) {
            assertTrue(r.out().contains(line), r.out());
        }
        assertTrue(r.out().contains("chosen automatically") || r.out().contains("forced"), r.out());
    }

    @Test
    void helpListsOptionsWithDefaultsAndAnExample() {
        Result r = run("train", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--layers=SIZES"), r.out());
        assertTrue(r.out().replaceAll("\\s+", " ").contains("Default: 784,16,16,10"), r.out());
        assertTrue(r.out().contains("Examples:"), r.out());
    }
}
