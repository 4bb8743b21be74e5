package dev.simdnet.cli;

import dev.simdnet.data.Catalogue;
import dev.simdnet.data.Datasets;
import dev.simdnet.data.Downloader;
import dev.simdnet.data.MnistFormat;
import dev.simdnet.data.TrainTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data comes from: {@code --dataset NAME} or {@code --data DIR}; shared by commands. */
final class DataOptions {

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "mnist, fashion-mnist or sample (bundled). Default: mnist if cached, else sample.")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR",
            description = "A folder with the four MNIST-named IDX files (gzipped or not), instead of --dataset.")
    Path dataDir;

    /** Checks the options before any work; throws {@link UsageException} saying what to fix. */
    void validate() {
        if (dataset != null && dataDir != null) {
            throw new UsageException("give either --dataset or --data, not both");
        }
        if (dataset != null) {
            dataset = Datasets.checkName(dataset);
        }
        if (dataDir != null && !Files.isDirectory(dataDir)) {
            throw new UsageException("--data " + dataDir + ": no such folder");
        }
    }

    /**
     * Loads the data, downloading a named dataset that is not cached yet. With no dataset named,
     * MNIST is used when it is cached or can be downloaded, and otherwise the bundled sample, said
     * in one line.
     */
    TrainTest load(PrintWriter out) throws IOException {
        if (dataDir != null) {
            Path name = dataDir.toAbsolutePath().normalize().getFileName();
            return MnistFormat.load(name == null ? dataDir.toString() : name.toString(), dataDir);
        }
        Path root = Datasets.cacheRoot();
        if (dataset == null) {
            Path mnist = Datasets.cacheDir(root, Datasets.MNIST);
            if (!Datasets.isAvailable(root, Datasets.MNIST)) {
                // One line, finished when the attempt is: "... done" or why the sample is used instead.
                out.print("MNIST is not cached in " + mnist + ": downloading it... ");
                out.flush();
                try {
                    DownloadCommand.fetch(Catalogue.MNIST, mnist, new Downloader.Listener() { });
                    out.println("done");
                } catch (IOException e) {
                    out.println("it cannot be had (offline?; 'simdnet download' says why): using the bundled sample"
                            + " of 10,000 real MNIST digits");
                    return Datasets.sample();
                }
            }
            out.println("Using MNIST from " + mnist);
            return Datasets.load(root, Datasets.MNIST);
        }
        if (!dataset.equals(Datasets.SAMPLE) && !Datasets.isAvailable(root, dataset)) {
            Path target = Datasets.cacheDir(root, dataset);
            out.println(dataset + " is not cached in " + target + ": downloading it");
            DownloadCommand.fetch(Catalogue.get(dataset), target, new DownloadProgress(out, DownloadProgress.onTerminal()));
        }
        return Datasets.load(root, dataset);
    }
}
