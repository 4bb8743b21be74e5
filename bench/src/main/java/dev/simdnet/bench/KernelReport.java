package dev.simdnet.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs JMH with the given arguments (as {@code org.openjdk.jmh.Main} takes them) and prints the
 * GFLOP/s of every run as a Markdown table: median, min and max over the measured iterations, the
 * form bench/README.md reports. For example:
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.simdnet.bench.KernelReport KernelBenchmark -p impl=vector</pre>
 */
public final class KernelReport {

    private KernelReport() {
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results;
        try {
            results = new Runner(new CommandLineOptions(args)).run();
        } catch (RunnerException e) {
            System.err.println("kernel report: " + e.getMessage());
            System.exit(1);
            return;
        }
        List<String[]> rows = new ArrayList<>();
        String jvmArgs = "";
        for (RunResult r : results) {
            jvmArgs = String.join(" ", r.getParams().getJvmArgs());
            BenchmarkParams p = r.getParams();
            Result<?> flops = r.getAggregatedResult().getSecondaryResults().get("flops");
            if (flops == null) {
                continue;
            }
            Statistics s = flops.getStatistics();
            String bench = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
            String shape = p.getParam("shape") == null ? "-" : p.getParam("shape");
            String impl = p.getParam("impl") == null ? "-" : p.getParam("impl");
            rows.add(new String[] {bench, shape, impl,
                    fmt(s.getPercentile(50)), fmt(s.getMin()), fmt(s.getMax()), String.valueOf(s.getN())});
        }
        rows.sort(Comparator.<String[], String>comparing(x -> x[0]).thenComparing(x -> x[1]).thenComparing(x -> x[2]));
        System.out.println();
        System.out.println("JDK " + System.getProperty("java.version") + " (the runner's; forks use the same java),"
                + " fork flags: " + jvmArgs);
        System.out.println();
        System.out.println("| kernel | in x out | impl | GFLOP/s median | min | max | iterations |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        for (String[] row : rows) {
            System.out.println("| " + String.join(" | ", row) + " |");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
