package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.AtomicFiles;
import dev.simdnet.core.Cost;
import dev.simdnet.core.EpochStats;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import dev.simdnet.core.Trainer;
import dev.simdnet.core.TrainingConfig;
import dev.simdnet.core.WarmUp;
import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import dev.simdnet.data.TrainTest;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a network with minibatch stochastic gradient descent and reports each epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Train a fully connected network with stochastic gradient descent. With no options: the"
            + " lecture's network 784-16-16-10, sigmoid, quadratic cost, minibatches of 100, learning rate 3.0,"
            + " 10 epochs, on MNIST if it is cached or can be downloaded, and on the bundled sample otherwise.",
        footer = {"", "Examples:",
            "  ./simdnet train",
            "  ./simdnet train --dataset sample --epochs 20 --report run.json",
            "  ./simdnet train --data DIR --layers 784,128,10 --activation relu --loss cross-entropy --lr 0.1"})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    NetworkOptions network = new NetworkOptions();

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100", description = "Minibatch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "3.0",
            description = "Learning rate, applied to the gradient averaged over the minibatch. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the initial weights and the shuffles. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--momentum", paramLabel = "X", defaultValue = "0",
            description = "Momentum as PyTorch defines it (v = m*v + g, w -= lr*v); 0 is plain SGD. Default: ${DEFAULT-VALUE}.")
    float momentum;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0",
            description = "L2 weight decay, added to the weights' gradient as X*w (biases are not decayed). Default: ${DEFAULT-VALUE}.")
    float weightDecay;

    @Option(names = "--no-shuffle", description = "Keep the training set in its file order.")
    boolean noShuffle;

    @Option(names = "--init", paramLabel = "FILE",
            description = "Start from this model (simdnet's format, or .npz) instead of random weights; its layers rule.")
    Path init;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Save the trained model here: .npz for NumPy/PyTorch, any other name for simdnet's format.")
    Path save;

    @Option(names = "--report", paramLabel = "FILE.json", description = "Write the run's settings and per-epoch figures as JSON.")
    Path report;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the training cost and test accuracy against the epoch.")
    Path plot;

    /** The thread count, resolved from --threads in validate(). */
    private int threads;

    /** The options after validation, in the types the trainer takes; start is null or --init's model. */
    private record Plan(int[] sizes, Activation hidden, Cost cost, TrainingConfig config, Network start) {
    }

    @Override
    public Integer call() throws IOException {
        Plan plan = validate();
        PrintWriter out = spec.commandLine().getOut();
        TrainTest data;
        // The JVM's start on the kernels (class loading, the JIT) overlaps loading the data.
        try (WarmUp warm = WarmUp.start(plan.sizes(), plan.hidden(), plan.cost(), plan.config())) {
            data = this.data.load(out);
        }
        checkAgainstData(plan.sizes(), data);

        Kernels kernels = KernelProvider.get();
        Network net = plan.start() != null ? plan.start() : Network.create(plan.sizes(), plan.hidden(), plan.cost(), seed);
        out.printf("Training %s on %s (%,d train, %,d test); batch %d, learning rate %s, %d epochs; kernels %s, %d thread%s%n",
                net, data.source(), data.train().size(), data.test().size(), batch, lr, epochs, kernels.name(),
                threads, threads == 1 ? "" : "s");
        long start = System.nanoTime();
        List<EpochStats> history;
        PerEpoch jit;
        PerEpoch allocated;
        try (Trainer trainer = new Trainer(net, batch, kernels, threads)) {
            allocated = PerEpoch.allocatedBytes(new TrainingProgress(out, epochs, DownloadProgress.onTerminal()));
            jit = PerEpoch.compileMillis(allocated);
            history = trainer.sgd(data.train(), data.test(), plan.config(), jit);
        }
        double total = (System.nanoTime() - start) / 1e9;
        EpochStats last = history.get(history.size() - 1);
        double best = history.stream().mapToDouble(EpochStats::testAccuracy).max().orElse(Double.NaN);
        out.printf(Locale.ROOT, "Done in %.1f s: test accuracy %.2f%% (best %.2f%%)%n", total,
                100 * last.testAccuracy(), 100 * best);
        allocated.warnIfOnTheHeap(history.size(), data.train().size(), batch, out, spec.commandLine().getErr());
        if (save != null) {
            Models.save(net, save);
            out.println("Model saved to " + save);
        }
        if (plot != null) {
            Plots.training(plot, net + " on " + data.name(), history);
            out.println("Plot written to " + plot);
        }
        if (report != null) {
            AtomicFiles.write(report,
                    Json.write(reportJson(plan, kernels, data, history, jit, allocated)).getBytes(StandardCharsets.UTF_8));
            out.println("Report written to " + report);
        }
        return Main.OK;
    }

    /** Every option checked before any work starts; each fault says how to fix it. */
    private Plan validate() throws IOException {
        int[] sizes = network.sizes();
        Activation hidden = network.hidden();
        Cost cost = network.cost();
        threads = network.threads();
        if (!(momentum >= 0 && momentum < 1)) {
            throw new UsageException("--momentum must be at least 0 and below 1 (0.9 is usual), got " + momentum);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new UsageException("--weight-decay must be 0 or a small positive number such as 5e-4, got " + weightDecay);
        }
        if (save != null) {
            Path parent = save.toAbsolutePath().getParent();
            if (Files.isDirectory(save)) {
                throw new UsageException("--save " + save + " is a folder; give a file name such as model.simdnet or model.npz");
            }
            if (parent != null && !Files.isDirectory(parent)) {
                throw new UsageException("--save " + save + ": folder " + parent + " does not exist");
            }
        }
        if (epochs <= 0) {
            throw new UsageException("--epochs must be a positive number of passes, got " + epochs);
        }
        if (batch <= 0) {
            throw new UsageException("--batch must be a positive number of examples, got " + batch);
        }
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new UsageException("--lr must be a positive number, got " + lr);
        }
        data.validate();
        if (report != null && Files.isDirectory(report)) {
            throw new UsageException("--report " + report + " is a folder; give a file name such as run.json");
        }
        if (plot != null && (Files.isDirectory(plot) || !plot.toString().toLowerCase(Locale.ROOT).endsWith(".png"))) {
            throw new UsageException("--plot " + plot + ": give a file name ending in .png");
        }
        Network start = null;
        if (init != null) {
            if (!Files.isRegularFile(init)) {
                throw new UsageException("--init " + init + ": no such file");
            }
            start = Models.load(init, hidden, cost);
            boolean layersGiven = spec.commandLine().getParseResult().hasMatchedOption("--layers");
            if (layersGiven && !Arrays.equals(sizes, start.sizes())) {
                throw new UsageException("--init " + init + " has layers " + joined(start.sizes()) + " but --layers says "
                        + joined(sizes) + "; drop --layers to keep the model's");
            }
            sizes = start.sizes();
            hidden = start.hiddenActivation();
            cost = start.cost();
        }
        TrainingConfig config = new TrainingConfig(batch, lr, epochs, seed, !noShuffle, momentum, weightDecay);
        return new Plan(sizes, hidden, cost, config, start);
    }

    private static String joined(int[] sizes) {
        return Arrays.stream(sizes).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    }

    private static void checkAgainstData(int[] sizes, TrainTest data) {
        int inputs = data.train().inputSize();
        int classes = data.train().classes();
        if (sizes[0] != inputs) {
            throw new UsageException("--layers starts with " + sizes[0] + " but " + data.name() + "'s images have "
                    + inputs + " pixels (" + data.train().rows() + "x" + data.train().cols() + "): start with " + inputs);
        }
        if (sizes[sizes.length - 1] != classes) {
            throw new UsageException("--layers ends with " + sizes[sizes.length - 1] + " but " + data.name() + " has "
                    + classes + " classes: end with " + classes);
        }
    }

    private Map<String, Object> reportJson(Plan plan, Kernels kernels, TrainTest data, List<EpochStats> history,
                                           PerEpoch jit, PerEpoch allocated) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("layers", plan.sizes());
        r.put("activation", plan.hidden().id());
        r.put("loss", plan.cost().id());
        r.put("batch", batch);
        r.put("lr", lr);
        r.put("epochs", epochs);
        r.put("threads", threads);
        r.put("seed", seed);
        r.put("momentum", momentum);
        r.put("weightDecay", weightDecay);
        r.put("shuffle", !noShuffle);
        r.put("kernel", kernels.name());
        r.put("jdk", System.getProperty("java.version"));
        r.put("dataset", data.name());
        r.put("trainExamples", data.train().size());
        r.put("testExamples", data.test().size());
        List<Map<String, Object>> epochsDetail = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            EpochStats s = history.get(i);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", s.epoch());
            e.put("seconds", s.seconds());
            e.put("examplesPerSecond", s.examplesPerSecond());
            e.put("trainLoss", s.trainLoss());
            e.put("testAccuracy", s.testAccuracy());
            Long compileMillis = jit.at(i);
            if (compileMillis != null) {
                e.put("compileMillis", compileMillis);
            }
            Long bytes = allocated.at(i);
            if (bytes != null) {
                e.put("allocatedBytes", bytes);
            }
            epochsDetail.add(e);
        }
        r.put("epochsDetail", epochsDetail);
        return r;
    }
}
