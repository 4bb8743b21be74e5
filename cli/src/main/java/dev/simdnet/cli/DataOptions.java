package dev.simdnet.cli;

import dev.simdnet.data.Datasets;
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

    /** Loads the data, saying in one line which dataset when none was named. */
    TrainTest load(PrintWriter out) throws IOException {
        if (dataDir != null) {
            Path name = dataDir.toAbsolutePath().normalize().getFileName();
            return MnistFormat.load(name == null ? dataDir.toString() : name.toString(), dataDir);
        }
        Path root = Datasets.cacheRoot();
        if (dataset == null) {
            if (Datasets.isAvailable(root, Datasets.MNIST)) {
                out.println("Using MNIST from " + Datasets.cacheDir(root, Datasets.MNIST));
                return Datasets.load(root, Datasets.MNIST);
            }
            out.println("MNIST is not cached in " + Datasets.cacheDir(root, Datasets.MNIST)
                    + ": using the bundled sample of 10,000 real MNIST digits");
            return Datasets.sample();
        }
        return Datasets.load(root, dataset);
    }
}
