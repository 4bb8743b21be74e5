package dev.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.simdnet.core.EpochListener;
import dev.simdnet.core.EpochStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerEpochTest {

    @Test
    void warnsOfVectorsOnTheHeapOnlyOnceTheJitHasHadItsEpochs() {
        // The caught cases: 25.8 MB an epoch for Fashion-MNIST's 60,000 examples (600 steps), 14.1
        // MB for the bundled sample's 8,000 (80 steps); a compiled run allocates 4-14 KB an epoch.
        String w = PerEpoch.heapWarning(10, 600, 25_813_000L, 60_000);
        assertTrue(w != null && w.contains("epoch 10 allocated 25.8 MB (430 bytes an example)"), w);
        assertNull(PerEpoch.heapWarning(10, 600, 12_900L, 60_000));
        assertNull(PerEpoch.heapWarning(10, 80, 14_089L, 8_000));
        // Not before the 5th epoch, nor before the 2,000th step: the sample's ten epochs are 800
        // steps, and 14 MB in the tenth came from kernels C2 had not compiled yet.
        assertNull(PerEpoch.heapWarning(4, 600, 25_813_000L, 60_000));
        assertTrue(PerEpoch.heapWarning(5, 600, 25_813_000L, 60_000) != null);
        assertNull(PerEpoch.heapWarning(10, 80, 14_089_000L, 8_000));
        assertNull(PerEpoch.heapWarning(24, 80, 14_089_000L, 8_000));
        assertTrue(PerEpoch.heapWarning(25, 80, 14_089_000L, 8_000).contains("14.1 MB (1,761 bytes an example)"));
        // 100 bytes an example: 6 MB for 60,000 examples; more than 1 MiB for few examples.
        assertNull(PerEpoch.heapWarning(10, 600, 6_000_000L, 60_000));
        assertTrue(PerEpoch.heapWarning(10, 600, 6_000_001L, 60_000) != null);
        assertNull(PerEpoch.heapWarning(10, 1000, 1L << 20, 100));
        assertTrue(PerEpoch.heapWarning(10, 1000, (1L << 20) + 1, 100) != null);
        // A JVM that counts nothing: no figure, no warning.
        assertNull(PerEpoch.heapWarning(10, 600, null, 60_000));
    }

    private static volatile Object keep;

    @Test
    void countsWhatAThreadAllocatesBetweenEpochs() throws InterruptedException {
        assumeTrue(PerEpoch.allocatedSoFar() >= 0, "this JVM does not count allocated bytes");
        List<EpochStats> passedOn = new ArrayList<>();
        PerEpoch allocations = PerEpoch.allocatedBytes(new EpochListener() {
            @Override
            public void epochDone(EpochStats stats) {
                passedOn.add(stats);
            }
        });
        // 8 MB in this thread, then 16 MB in another that has ended by the reading: only the
        // first is counted (a thread's count ends with it), which the class documents.
        keep = new byte[8 << 20];
        allocations.epochDone(new EpochStats(1, 1.0, 1.0, 0.5, 0.9));
        Thread other = new Thread(() -> keep = new byte[16 << 20]);
        other.start();
        other.join();
        byte[] inThisThread = new byte[4 << 20];
        keep = inThisThread;
        allocations.epochDone(new EpochStats(2, 1.0, 1.0, 0.5, 0.9));

        assertEquals(2, passedOn.size());
        long first = allocations.at(0), second = allocations.at(1);
        // Each reading allocates a little itself (the thread ids and counts): under 1 MB.
        assertTrue(first >= 8 << 20 && first < (8 << 20) + (1 << 20), "first epoch: " + first);
        assertTrue(second >= 4 << 20 && second < (4 << 20) + (1 << 20), "second epoch: " + second);
        assertNull(allocations.at(2));
    }
}
