package dev.simdnet.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * How long one cache line takes to go from one thread's core to another's and back, on this
 * machine now: two threads hand a counter back and forth, each spinning until the other has
 * moved it on, and this prints each round's mean round trip in ns, and their median. On a
 * virtual machine that figure depends on where the host runs the two virtual CPUs (the same
 * core complex or not), and it changes while the machine runs: about 56 ns and about 320-430 ns
 * were both seen here, minutes apart (BENCHMARKS.md, session 14). The lecture network's step on
 * two threads hands its halves' results across several times a step, and gained little over one
 * thread while the figure was high (not every slow run came with a high figure, though); run this
 * next to a measurement of it to know which kind of stretch it saw.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.simdnet.bench.CoreLatency 8
 * </pre>
 * The argument is the number of rounds (default 8) of 200,000 round trips each; the first two
 * or three include the JIT's warm-up.
 */
public final class CoreLatency {

    private static final int TRIPS = 200_000;

    private CoreLatency() {
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = 8;
        try {
            rounds = args.length > 0 ? Integer.parseInt(args[0]) : rounds;
        } catch (NumberFormatException e) {
            rounds = 0;
        }
        if (rounds < 1 || args.length > 1) {
            System.err.println("usage: CoreLatency [ROUNDS], ROUNDS a whole number from 1 (default 8)");
            System.exit(2);
        }
        double[] ns = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ns[r] = roundTrip();
        }
        StringBuilder line = new StringBuilder("round trip, ns, by round:");
        for (double v : ns) {
            line.append(String.format(Locale.ROOT, " %.0f", v));
        }
        double[] later = Arrays.copyOfRange(ns, rounds > 3 ? 3 : 0, rounds);
        Arrays.sort(later);
        line.append(String.format(Locale.ROOT, "; median%s %.0f", rounds > 3 ? " after the first three" : "",
                later[later.length / 2]));
        System.out.println(line);
    }

    /** The mean round trip of {@link #TRIPS} hand-overs, in ns. */
    private static double roundTrip() throws InterruptedException {
        // Slot 16 holds the counter: the 16 ints on either side keep it on a cache line of its own.
        AtomicIntegerArray line = new AtomicIntegerArray(64);
        Thread other = new Thread(() -> {
            for (int i = 0; i < TRIPS; i++) {
                while (line.get(16) != 2 * i + 1) {
                    Thread.onSpinWait();
                }
                line.set(16, 2 * i + 2);
            }
        }, "core-latency");
        other.setDaemon(true);
        other.start();
        long start = System.nanoTime();
        for (int i = 0; i < TRIPS; i++) {
            line.set(16, 2 * i + 1);
            while (line.get(16) != 2 * i + 2) {
                Thread.onSpinWait();
            }
        }
        long elapsed = System.nanoTime() - start;
        other.join();
        return elapsed / (double) TRIPS;
    }
}
