package dev.simdnet.cli;

import dev.simdnet.core.Activation;
import dev.simdnet.core.Cost;
import dev.simdnet.core.Models;
import dev.simdnet.core.Network;
import dev.simdnet.core.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Converts a model to NumPy's .npz, the layout torch.nn.Linear uses. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Convert a model for NumPy and PyTorch: W0, b0, W1, b1, ... as float32, Wi of shape (out, in).",
        footer = {"", "Example:", "  ./simdnet export --model model.simdnet --format npz --out model.npz",
            "  python3 -c \"import numpy; z = numpy.load('model.npz'); print(z['W0'].shape)\""})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model to convert.")
    Path model;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "npz", description = "npz (the only one). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write it.")
    Path outFile;

    @Override
    public Integer call() throws IOException {
        if (!format.equalsIgnoreCase("npz")) {
            throw new UsageException("--format " + format + " is not supported: use npz");
        }
        if (!Files.isRegularFile(model)) {
            throw new UsageException("--model " + model + ": no such file");
        }
        Network net = Models.load(model, Activation.SIGMOID, Cost.MSE);
        Npz.save(net, outFile);
        spec.commandLine().getOut().println("Wrote " + net + " to " + outFile);
        return Main.OK;
    }
}
