package dev.simdnet.core.kernels;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the kernel implementation once per JVM and says which, and why, once.
 *
 * <p>The vector kernels are used when the {@code jdk.incubator.vector} module is readable, the JIT
 * has its optimising compiler (C2: without it every vector operation is a slow Java object), and
 * the CPU's preferred vector width is at least 128 bits. Otherwise the scalar kernels run, and the
 * log line says what to change. Two system properties override the choice:
 * <ul>
 *   <li>{@code -Dsimdnet.kernels=auto|scalar|vector} (default {@code auto}); {@code vector} still
 *       falls back when the module is missing;
 *   <li>{@code -Dsimdnet.vector.bits=128|256|512}: a vector width no wider than the CPU's.
 * </ul>
 */
public final class KernelProvider {

    private static final System.Logger LOG = System.getLogger("dev.simdnet.kernels");

    private KernelProvider() {
    }

    /** The kernels this JVM uses. */
    public static Kernels get() {
        return Holder.CHOICE.kernels;
    }

    /** Why {@link #get()} returns what it does, in one sentence, for {@code info} and logs. */
    public static String reason() {
        return Holder.CHOICE.reason;
    }

    /** The plain-Java kernels, always available (tests and benchmarks compare against them). */
    public static Kernels scalar() {
        return Holder.SCALAR;
    }

    /** The vector kernels if this JVM can run them, whatever the automatic choice was. */
    public static Optional<Kernels> vector() {
        return Optional.ofNullable(Holder.VECTOR.kernels);
    }

    /**
     * The CPU's preferred vector width in bits as the Vector API sees it, or -1 where the module is
     * not readable.
     */
    public static int preferredVectorBits() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return -1;
        }
        try {
            return Class.forName("dev.simdnet.core.kernels.VectorKernels").getDeclaredField("PREFERRED_BITS").getInt(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return -1;
        }
    }

    /**
     * An estimate of one core's FMA peak in GFLOP/s, from a short loop of FMAs on registers at the
     * vector kernels' width (about {@code millis} ms), or NaN where the vector kernels cannot run.
     */
    public static double estimatePeakGflops(long millis) {
        if (Holder.VECTOR.kernels == null) {
            return Double.NaN;
        }
        try {
            return (double) Class.forName("dev.simdnet.core.kernels.VectorKernels")
                    .getDeclaredMethod("estimatePeakGflops", long.class).invoke(null, millis);
        } catch (ReflectiveOperationException | LinkageError e) {
            return Double.NaN;
        }
    }

    private static final class Holder {
        static final Kernels SCALAR = new ScalarKernels();
        static final Choice VECTOR = loadVector();
        static final Choice CHOICE = choose();

        static {
            LOG.log(CHOICE.kernels instanceof ScalarKernels ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "simdnet kernels: " + CHOICE.kernels.name() + " (" + CHOICE.reason + ")");
        }
    }

    private record Choice(Kernels kernels, String reason) {
    }

    private static Choice choose() {
        String asked = System.getProperty("simdnet.kernels", "auto").trim().toLowerCase(Locale.ROOT);
        String prefix = "";
        switch (asked) {
            case "scalar":
                return new Choice(Holder.SCALAR, "forced by -Dsimdnet.kernels=scalar");
            case "vector":
            case "auto":
            case "":
                break;
            default:
                prefix = "-Dsimdnet.kernels=" + asked + " is not auto, scalar or vector, so it is ignored; ";
        }
        String compiler = missingCompiler();
        if (compiler != null) {
            return new Choice(Holder.SCALAR, prefix + compiler);
        }
        if (Holder.VECTOR.kernels == null) {
            return new Choice(Holder.SCALAR, prefix + Holder.VECTOR.reason);
        }
        String how = asked.equals("vector") ? "forced by -Dsimdnet.kernels=vector" : "chosen automatically";
        return new Choice(Holder.VECTOR.kernels, prefix + how + "; " + Holder.VECTOR.reason);
    }

    private static Choice loadVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Choice(null, "the jdk.incubator.vector module is not readable: "
                    + "run java with --add-modules jdk.incubator.vector");
        }
        try {
            // Reflection, so that this class links even where the module is absent.
            Class<?> cls = Class.forName("dev.simdnet.core.kernels.VectorKernels");
            Kernels kernels = (Kernels) cls.getDeclaredConstructor().newInstance();
            int preferred = preferredVectorBits();
            String asked = System.getProperty("simdnet.vector.bits");
            String width = "the CPU's preferred vector width is " + preferred + " bits";
            if (asked != null && !kernels.name().equals("vector-" + asked.trim())) {
                width += "; -Dsimdnet.vector.bits=" + asked
                        + " was ignored (use 128, 256 or 512, no wider than the CPU's)";
            } else if (asked != null) {
                width += "; " + asked.trim() + " bits asked with -Dsimdnet.vector.bits";
            }
            return new Choice(kernels, width);
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new Choice(null, "the vector kernels could not start: " + cause.getMessage());
        }
    }

    /** Null when C2 is available; otherwise why not, with the flag to remove. */
    private static String missingCompiler() {
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs in interpreted mode (-Xint): remove -Xint to use the vector kernels";
        }
        try {
            List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (String arg : args) {
                if (arg.startsWith("-XX:TieredStopAtLevel=") && !arg.endsWith("=4")) {
                    return "the JIT stops before C2 (" + arg + "): remove it to use the vector kernels";
                }
                if (arg.equals("-XX:-UseCompiler")) {
                    return "the JIT is off (-XX:-UseCompiler)";
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // java.management missing from a trimmed runtime: nothing more to learn.
        }
        return null;
    }
}
