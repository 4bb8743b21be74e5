package dev.simdnet.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run the numbered tasks of one job at a time, the calling thread
 * included. Which thread runs which task varies; results do not, as long as each task writes its
 * own part of the output: that is how training stays bit-identical whatever the number of threads.
 *
 * <p>The tasks of a job are cut into one contiguous share per thread: thread i runs its own share
 * in order first, then helps with the others'. So when consecutive jobs number their tasks
 * alike (by blocks of neurons, say), a thread mostly meets the same weights it touched in the job
 * before, still in its own core's cache, where taking tasks first come, first served would send
 * them across cores. Which thread ran a task still changes nothing in the results.
 *
 * <p>A run allocates nothing. Idle workers spin for a short while before parking, since the jobs
 * of one training step follow each other within microseconds.
 */
final class WorkerPool implements AutoCloseable {

    /** The body of a job: runs task number {@code task}. */
    @FunctionalInterface
    interface Job {
        void run(int task);
    }

    /** How long an idle worker spins, waiting for the next job, before it parks. */
    private static final long SPIN_NANOS = 200_000;

    /** Ints between two cursors, so that each has a cache line of its own. */
    private static final int PAD = 16;

    private final Thread[] workers;
    /** cursors[i * PAD]: the next task of share i not yet taken; shares end where the next begins. */
    private final AtomicIntegerArray cursors;
    private final AtomicInteger finished = new AtomicInteger();
    private volatile Job job;
    private volatile int taskCount;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    /** A pool of {@code threads} threads in all: the caller of {@link #run} and threads - 1 workers. */
    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Thread[threads - 1];
        cursors = new AtomicIntegerArray(threads * PAD);
        for (int i = 0; i < workers.length; i++) {
            int self = i + 1;
            Thread t = new Thread(() -> workerLoop(self), "simdnet-worker-" + self);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /** Runs tasks 0 .. tasks-1 of {@code body} on all threads and returns when every one is done. */
    void run(Job body, int tasks) {
        if (workers.length == 0 || tasks <= 1) {
            for (int t = 0; t < tasks; t++) {
                body.run(t);
            }
            return;
        }
        job = body;
        taskCount = tasks;
        for (int i = 0; i < threads(); i++) {
            cursors.set(i * PAD, start(i, tasks));
        }
        finished.set(0);
        generation = generation + 1; // publishes the job to workers that see the new generation
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(0, body, tasks);
        // Wait until every worker has left this job, so that none can take a task of the next.
        while (finished.get() < workers.length) {
            Thread.onSpinWait();
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    /** Where thread i's share of {@code tasks} tasks begins (share threads() ends at tasks). */
    private int start(int i, int tasks) {
        return (int) ((long) i * tasks / threads());
    }

    /** Thread {@code self}'s own share of the tasks first, then what is left of the others'. */
    private void work(int self, Job body, int tasks) {
        int n = threads();
        for (int k = 0; k < n; k++) {
            int share = (self + k) % n;
            int end = start(share + 1, tasks);
            for (int t; (t = cursors.getAndIncrement(share * PAD)) < end; ) {
                try {
                    body.run(t);
                } catch (Throwable e) {
                    failure = e;
                }
            }
        }
    }

    private void workerLoop(int self) {
        int seen = 0;
        while (true) {
            long start = System.nanoTime();
            int g;
            while ((g = generation) == seen) {
                if (closed) {
                    return;
                }
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = g;
            work(self, job, taskCount);
            finished.incrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
