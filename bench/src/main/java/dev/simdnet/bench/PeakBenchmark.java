package dev.simdnet.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA peak one thread reaches on this machine and JDK: twelve independent chains of FMAs on
 * registers, no memory traffic. Kernel figures divided by this one are their fraction of peak, on
 * the same machine in the same run. The width is the kernels': {@code -Dsimdnet.vector.bits}, else
 * the preferred one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PeakBenchmark {

    private static final VectorSpecies<Float> SPECIES = VectorSpecies.of(float.class, VectorShape.forBitSize(
            Integer.getInteger("simdnet.vector.bits", FloatVector.SPECIES_PREFERRED.vectorBitSize())));
    private static final int STEPS = 1024;

    public float x = 0.999f;
    public float y = 1e-4f;

    @Benchmark
    public float fmaPeak(KernelBenchmark.Flops f) {
        FloatVector vx = FloatVector.broadcast(SPECIES, x), vy = FloatVector.broadcast(SPECIES, y);
        FloatVector a0 = vy, a1 = vy.add(1), a2 = vy.add(2), a3 = vy.add(3), a4 = vy.add(4), a5 = vy.add(5);
        FloatVector a6 = vy.add(6), a7 = vy.add(7), a8 = vy.add(8), a9 = vy.add(9), a10 = vy.add(10), a11 = vy.add(11);
        // Twelve chains cover the FMA latency (4 cycles) times the FMA units (2) with room to spare.
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vx, vy);
            a1 = a1.fma(vx, vy);
            a2 = a2.fma(vx, vy);
            a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy);
            a5 = a5.fma(vx, vy);
            a6 = a6.fma(vx, vy);
            a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy);
            a9 = a9.fma(vx, vy);
            a10 = a10.fma(vx, vy);
            a11 = a11.fma(vx, vy);
        }
        f.flops += 2L * 12 * STEPS * SPECIES.length();
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
