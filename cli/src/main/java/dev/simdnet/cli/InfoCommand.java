package dev.simdnet.cli;

import dev.simdnet.core.kernels.KernelProvider;
import dev.simdnet.core.kernels.Kernels;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What simdnet runs on: the JDK, the machine, the vector width and the kernels chosen. */
@Command(name = "info", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Print the JDK, OS, cores, vector width and the kernel implementation chosen, and why.",
        footer = {"", "Example:", "  ./simdnet info", "  JAVA_OPTS=-Dsimdnet.kernels=scalar ./simdnet info"})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Kernels k = KernelProvider.get();
        int bits = KernelProvider.preferredVectorBits();
        out.printf("java      %s (%s, %s)%n", System.getProperty("java.version"),
                System.getProperty("java.vendor"), System.getProperty("java.vm.name"));
        out.printf("os        %s %s %s%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        out.printf("cores     %d%n", Runtime.getRuntime().availableProcessors());
        out.printf("vector    %s%n", bits < 0
                ? "jdk.incubator.vector is not readable (run java with --add-modules jdk.incubator.vector)"
                : "preferred species " + bits + " bits (" + bits / 32 + " floats per vector)");
        out.printf("kernels   %s: %s%n", k.name(), KernelProvider.reason());
        out.printf("threads   %d by default (train --threads N)%n", Runtime.getRuntime().availableProcessors());
        return Main.OK;
    }
}
