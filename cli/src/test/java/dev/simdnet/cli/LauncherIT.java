package dev.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The built jar run through the {@code ./simdnet} launcher, as a user runs it. Failsafe runs this
 * after {@code package}, so the jar is fresh and the launcher starts it without rebuilding.
 */
class LauncherIT {

    private static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();

    record Run(int status, String out, String err) {
    }

    private static Run simdnet(String... args) throws IOException, InterruptedException {
        return simdnetWith(null, args);
    }

    /** {@link #simdnet} with {@code JAVA_OPTS} set to {@code javaOpts} (unless null). */
    private static Run simdnetWith(String javaOpts, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("simdnet").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        Path out = Files.createTempFile("simdnet-out", ".txt");
        Path err = Files.createTempFile("simdnet-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "simdnet " + String.join(" ", args) + " did not finish");
        Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    @Test
    void trainsTheSampleThroughTheLauncher() throws Exception {
        Run r = simdnet("train", "--dataset", "sample", "--epochs", "2");
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.err().contains("building the CLI jar"), "the jar was fresh: " + r.err());
        assertTrue(r.out().contains("epoch   2/2"), r.out());
        assertTrue(r.out().contains("kernels vector-"), "the launcher adds the Vector API module: " + r.out());
    }

    @Test
    void twoThreadsGetTheTrainersDirectivesOnStderrOneThreadNone() throws Exception {
        // The directives file parses on this JDK (a file it refuses stops the JVM), the JVM's
        // message about it stays off stdout, and the results are those of one thread.
        Run two = simdnet("train", "--dataset", "sample", "--epochs", "2", "--threads", "2");
        assertEquals(0, two.status(), two.out() + two.err());
        assertTrue(two.err().contains("3 compiler directives added"), two.err());
        assertFalse(two.out().contains("directives"), two.out());
        Run one = simdnet("train", "--dataset", "sample", "--epochs", "2", "--threads=1");
        assertEquals(0, one.status(), one.out() + one.err());
        assertFalse(one.err().contains("directives"), one.err());
        assertEquals(epochLines(one.out()), epochLines(two.out()));
        Run info = simdnet("info");
        assertFalse(info.err().contains("directives"), "only training gets them: " + info.err());
    }

    /** The cost and accuracy of each epoch line, without its timings. */
    private static List<String> epochLines(String out) {
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("epoch ")) {
                lines.add(line.substring(0, line.indexOf('%') + 1));
            }
        }
        assertEquals(2, lines.size(), out);
        return lines;
    }

    @Test
    void aRunWithVectorsOnTheHeapSaysSo() throws Exception {
        // What the JIT does on its own in some runs, forced: the kernels' fused multiply-adds
        // compiled without the Vector API's intrinsic, so that their vectors live on the heap.
        // Minibatches of 10, so that five epochs of the sample are 4,000 steps.
        Run r = simdnetWith("-XX:+UnlockDiagnosticVMOptions -XX:DisableIntrinsic=_VectorTernaryOp",
                "train", "--dataset", "sample", "--epochs", "5", "--batch", "10", "--threads", "1");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("warning: epoch 5 allocated"), r.err());
        assertFalse(r.out().contains("warning"), "the warning goes to stderr: " + r.out());
    }

    @Test
    void badOptionsExitTwoThroughTheLauncher() throws Exception {
        Run r = simdnet("train", "--layers", "784,abc,10");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("'abc' is not a number"), r.err());
    }

    @Test
    void infoRuns() throws Exception {
        Run r = simdnet("info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("kernels   vector-"), r.out());
    }
}
