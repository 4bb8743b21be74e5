package dev.simdnet.cli;

import dev.simdnet.core.TrainingDivergedException;
import dev.simdnet.data.DownloadException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code simdnet} command. Exit status: 0 success, 1 a failure while running (e.g. the training
 * diverged), 2 bad input (unknown option, bad value, unreadable or corrupt file), with one line on
 * standard error and no stack trace unless {@code --verbose}.
 */
@Command(name = "simdnet",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = Main.Version.class,
        description = "Train fully connected neural networks on MNIST-style digits, fast, on the CPU.",
        footer = {"", "Examples:", "  ./simdnet train          the lecture's network on MNIST (or the sample)",
            "  ./simdnet train --help   every option of a command, with its default",
            "  ./simdnet info           the JDK, the vector width, the kernels chosen",
            "", "Exit status: 0 success, 1 a failure while running, 2 bad input."},
        subcommands = {DownloadCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ExplainCommand.class,
            ExportCommand.class,
            WeightsCommand.class, BenchCommand.class,
            InfoCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    /** Held here: java.util.logging keeps only weak references, and would forget the level. */
    private static final Logger LOG_ROOT = Logger.getLogger("dev.simdnet");

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces and the kernel choice log.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams and returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // Charts are drawn off screen; no display is needed.
        System.setProperty("java.awt.headless", "true");
        // One plain line per log record, and only warnings unless --verbose.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%n");
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        LOG_ROOT.setLevel(verbose ? Level.INFO : Level.WARNING);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("simdnet: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName()
                    + " --help')");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            int status = BAD_INPUT;
            String message;
            if (ex instanceof DownloadException) {
                status = FAILED;
                message = ex.getMessage();
            } else if (ex instanceof UsageException || ex instanceof IllegalArgumentException) {
                message = ex.getMessage();
            } else if (ex instanceof NoSuchFileException nsf) {
                message = nsf.getReason() != null ? nsf.getFile() + ": " + nsf.getReason() : "no such file: " + nsf.getFile();
            } else if (ex instanceof AccessDeniedException ade) {
                message = "cannot read " + ade.getFile() + ": permission denied";
            } else if (ex instanceof IOException || ex instanceof UncheckedIOException) {
                message = ex.getMessage();
            } else if (ex instanceof TrainingDivergedException) {
                status = FAILED;
                message = ex.getMessage();
            } else {
                status = FAILED;
                message = "internal error: " + ex + (verbose ? "" : " (run with --verbose for the stack trace)");
            }
            c.getErr().println("simdnet: " + message);
            if (verbose) {
                ex.printStackTrace(c.getErr());
            }
            return status;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"simdnet " + (v == null ? "(development build)" : v)};
        }
    }
}
