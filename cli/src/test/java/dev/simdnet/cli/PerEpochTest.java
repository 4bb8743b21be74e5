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
