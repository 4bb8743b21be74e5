package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    /** Some work for task t, n square roots, that the JIT cannot drop. */
    private static void busy(int t, int n) {
        double x = 0;
        for (int i = 0; i < n; i++) {
            x += Math.sqrt(i + t);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }

    @Test
    void everyTaskRunsExactlyOnceWhateverTheSharesAndThreads() {
        for (int threads = 1; threads <= 4; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                // Fewer tasks than threads, shares of one, uneven shares, and many jobs in a row
                // on the same pool (the cursors are reset for each).
                for (int tasks : new int[] {0, 1, 2, 3, 5, 7, 9, 100, 1, 27}) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                    pool.run(t -> {
                        runs.incrementAndGet(t);
                        // Some work, so that the threads overlap and help with each other's shares.
                        busy(t, 2000);
                    }, tasks);
                    int[] expected = new int[tasks];
                    Arrays.fill(expected, 1);
                    int[] got = new int[tasks];
                    for (int t = 0; t < tasks; t++) {
                        got[t] = runs.get(t);
                    }
                    assertArrayEquals(expected, got, threads + " threads, " + tasks + " tasks");
                }
            }
        }
    }

    @Test
    void eachThreadKnowsItsNumberInThePool() {
        // self(): 0 on the caller, and one number per worker, 1 .. threads - 1, the same for a
        // thread every time it asks. Oracle: the threads' identities, recorded task by task.
        int threads = 3, tasks = 300;
        try (WorkerPool pool = new WorkerPool(threads)) {
            Thread caller = Thread.currentThread();
            int[] self = new int[tasks];
            Thread[] who = new Thread[tasks];
            for (int round = 0; round < 20; round++) {
                pool.run(t -> {
                    self[t] = pool.self();
                    who[t] = Thread.currentThread();
                    busy(t, 20_000);
                }, tasks);
                Thread[] byNumber = new Thread[threads];
                for (int t = 0; t < tasks; t++) {
                    assertTrue(self[t] >= 0 && self[t] < threads, "task " + t + ": " + self[t]);
                    assertEquals(who[t] == caller, self[t] == 0, "task " + t + " on " + who[t].getName());
                    if (byNumber[self[t]] == null) {
                        byNumber[self[t]] = who[t];
                    }
                    assertSame(byNumber[self[t]], who[t], "one thread per number");
                }
            }
            assertEquals(0, pool.self(), "the caller, outside a job");
        }
    }

    @Test
    void sharesCoverTheTasksInOrderAndTheCallersIsNeverEmpty() {
        for (int threads = 1; threads <= 8; threads++) {
            for (int tasks = 1; tasks <= 40; tasks++) {
                assertEquals(0, WorkerPool.start(0, tasks, threads));
                assertEquals(tasks, WorkerPool.start(threads, tasks, threads));
                assertTrue(WorkerPool.start(1, tasks, threads) > 0,
                        "the caller's share of " + tasks + " on " + threads + " threads is empty");
                for (int i = 0; i < threads; i++) {
                    int size = WorkerPool.start(i + 1, tasks, threads) - WorkerPool.start(i, tasks, threads);
                    // Shares differ by at most one task: tasks / threads, rounded either way.
                    assertTrue(size == tasks / threads || size == (tasks + threads - 1) / threads,
                            "share " + i + " of " + tasks + " on " + threads + ": " + size);
                }
            }
        }
    }

    @Test
    void jobsInQuickSuccessionNeverLoseOrRepeatATask() {
        // Tiny jobs back to back: workers wake, join late, find the door closed or the next job
        // open, park and spin again; every task of every job must still run exactly once, and
        // never with the body of another job.
        for (int threads = 2; threads <= 3; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                for (int job = 0; job < 3000; job++) {
                    int tasks = 2 + job % 5;
                    AtomicIntegerArray runs = new AtomicIntegerArray(tasks); // this job's alone
                    pool.run(runs::incrementAndGet, tasks);
                    for (int t = 0; t < tasks; t++) {
                        assertEquals(1, runs.get(t), "job " + job + ", task " + t + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void aFailingTaskIsRethrownAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException boom = new IllegalStateException("task 3 failed");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.run(t -> {
                if (t == 3) {
                    throw boom;
                }
            }, 8));
            assertSame(boom, thrown);
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            pool.run(runs::incrementAndGet, 8);
            for (int t = 0; t < 8; t++) {
                assertEquals(1, runs.get(t), "task " + t);
            }
        }
    }
}
