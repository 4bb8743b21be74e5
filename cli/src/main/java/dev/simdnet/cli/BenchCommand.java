package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.AtomicFiles;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Dataset;
import dev.simdnet.core.EpochStats;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.TrainingConfig;
import dev.simdnet.core.WarmUp;
import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import dev.simdnet.data.MnistFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Times whole training epochs and says how close they come to the machine's FMA peak. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Time whole training epochs on this machine: examples/s, seconds per epoch, GFLOP/s (the"
            + " multiply-adds actually done: forward, weight gradient, and input gradient except for the first layer)"
            + " and that figure as a fraction of one core's FMA peak times the threads, the peak being estimated by a"
            + " short calibration loop.",
        footer = {"", "Examples:", "  ./simdnet bench",
            "  ./simdnet bench --layers 784,800,10 --activation relu --loss cross-entropy --threads 1 --report w3.json",
            "  ./simdnet bench --data ../shared/data/fashion-mnist --layers 784,128,10 --activation relu"})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    NetworkOptions network = new NetworkOptions();

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4",
            description = "Epochs to time; the first is the JIT's warm-up. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "60000",
            description = "Random examples per epoch when no --data is given. Default: ${DEFAULT-VALUE}.")
    int examples;

    @Option(names = "--data", paramLabel = "DIR", description = "Time on the training set of these IDX files instead.")
    Path dataDir;

    @Option(names = "--report", paramLabel = "FILE.json", description = "Write the settings and per-epoch figures as JSON.")
    Path report;

    @Override
    public Integer call() throws IOException {
        int[] sizes = network.sizes();
        Activation hidden = network.hidden();
        Cost cost = network.cost();
        final int t = network.threads();
        if (batch <= 0 || epochs <= 0 || examples <= 0) {
            throw new UsageException("--batch, --epochs and --examples must be positive");
        }
        if (dataDir != null && !Files.isDirectory(dataDir)) {
            throw new UsageException("--data " + dataDir + ": no such folder");
        }
        PrintWriter out = spec.commandLine().getOut();
        float lr = cost == Cost.MSE ? 0.5f : 0.01f;
        TrainingConfig config = new TrainingConfig(batch, lr, epochs, 1, true);
        Dataset data;
        // As train does: the kernels warmed up on a throwaway network while the data loads. Without
        // it, JDK 17's C2 sometimes compiled the lecture network's kernels with their vectors on the
        // heap for the whole run (1.8-2.0 GB and 0.14-0.21 s an epoch against 0.05 s; BENCHMARKS.md,
        // session 14).
        try (WarmUp warm = WarmUp.start(sizes, hidden, cost, config)) {
            data = dataDir != null ? MnistFormat.load("data", dataDir).train() : random(sizes, examples);
        }
        if (data.inputSize() != sizes[0] || data.classes() > sizes[sizes.length - 1]) {
            throw new UsageException("--layers " + network.layers + " does not fit the data: " + data.inputSize()
                    + " inputs, " + data.classes() + " classes");
        }
        Kernels kernels = KernelProvider.get();
        double peak = KernelProvider.estimatePeakGflops(1000);
        final long macsPerExample = multiplyAddsPerExample(sizes);
        out.printf(Locale.ROOT, "Benchmark: %s on %,d %s examples, batch %d, %d thread%s, kernels %s%n",
                joined(sizes) + " " + hidden.id() + ", " + cost.id(), data.size(), dataDir != null ? "real" : "random",
                batch, t, t == 1 ? "" : "s", kernels.name());
        out.printf(Locale.ROOT, "FMA peak of one core (estimated by a calibration loop): %.0f GFLOP/s%n", peak);
        Network net = Network.create(sizes, hidden, cost, TrainingConfig.DEFAULT_SEED);
        List<EpochStats> history;
        List<Double> gflops = new ArrayList<>();
        PerEpoch allocated;
        try (Trainer trainer = new Trainer(net, batch, kernels, t)) {
            allocated = PerEpoch.allocatedBytes(s -> {
                double g = 2.0 * macsPerExample * data.size() / s.seconds() / 1e9;
                gflops.add(g);
                out.printf(Locale.ROOT, "epoch %2d  %7.3f s  %,12.0f examples/s  %6.1f GFLOP/s  %5.1f%% of peak%s%n",
                        s.epoch(), s.seconds(), s.examplesPerSecond(), g, 100 * g / (peak * t),
                        s.epoch() == 1 ? "  (JIT warm-up)" : "");
                out.flush();
            });
            history = trainer.sgd(data, null, config, allocated);
        }
        double[] later = history.stream().skip(history.size() > 1 ? 1 : 0).mapToDouble(EpochStats::seconds).sorted().toArray();
        double median = later.length % 2 == 1 ? later[later.length / 2]
                : (later[later.length / 2 - 1] + later[later.length / 2]) / 2;
        double medianGflops = 2.0 * macsPerExample * data.size() / median / 1e9;
        out.printf(Locale.ROOT, "Median epoch after the first: %.3f s, %,.0f examples/s, %.1f GFLOP/s, %.0f%% of %d x %.0f"
                + " GFLOP/s peak (an estimate)%n", median, data.size() / median, medianGflops,
                100 * medianGflops / (peak * t), t, peak);
        allocated.warnIfOnTheHeap(history.size(), data.size(), batch, out, spec.commandLine().getErr());
        if (report != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("layers", sizes);
            r.put("activation", hidden.id());
            r.put("loss", cost.id());
            r.put("batch", batch);
            r.put("lr", lr);
            r.put("epochs", epochs);
            r.put("threads", t);
            r.put("seed", TrainingConfig.DEFAULT_SEED);
            r.put("kernel", kernels.name());
            r.put("jdk", System.getProperty("java.version"));
            r.put("examples", data.size());
            r.put("data", dataDir != null ? dataDir.toString() : "random");
            r.put("peakGflopsPerCore", peak);
            r.put("medianSeconds", median);
            r.put("medianGflops", medianGflops);
            List<Map<String, Object>> detail = new ArrayList<>();
            for (int i = 0; i < history.size(); i++) {
                EpochStats s = history.get(i);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epoch", s.epoch());
                e.put("seconds", s.seconds());
                e.put("examplesPerSecond", s.examplesPerSecond());
                e.put("trainLoss", s.trainLoss());
                e.put("gflops", gflops.get(i));
                Long bytes = allocated.at(i);
                if (bytes != null) {
                    e.put("allocatedBytes", bytes);
                }
                detail.add(e);
            }
            r.put("epochsDetail", detail);
            AtomicFiles.write(report, Json.write(r).getBytes(StandardCharsets.UTF_8));
            out.println("Report written to " + report);
        }
        return Main.OK;
    }

    /** Forward and weight gradient for every layer, input gradient for all but the first. */
    static long multiplyAddsPerExample(int[] sizes) {
        long macs = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            macs += (l == 0 ? 2L : 3L) * sizes[l] * sizes[l + 1];
        }
        return macs;
    }

    private static String joined(int[] sizes) {
        return String.join("-", Arrays.stream(sizes).mapToObj(String::valueOf).toArray(String[]::new));
    }

    /**
     * Uniform pixels and labels: the same work per example as real data, and bytes like the pixels
     * of real datasets, so that a step reads its minibatch the way training on them does.
     */
    private static Dataset random(int[] sizes, int n) {
        SplittableRandom rng = new SplittableRandom(1);
        int in = sizes[0], classes = sizes[sizes.length - 1];
        byte[] px = new byte[Math.multiplyExact(n, in)];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
        }
        return Dataset.ofBytes("random", px, labels, 1, in, classes);
    }
}
