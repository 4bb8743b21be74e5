package dev.simdnet.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run the numbered tasks of one job at a time, the calling thread
 * included. Which thread runs which task varies; results do not, as long as each task writes its
 * own part of the output: that is how training stays bit-identical whatever the number of threads.
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

    private final Thread[] workers;
    private final AtomicInteger next = new AtomicInteger();
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
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "simdnet-worker-" + (i + 1));
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
        next.set(0);
        finished.set(0);
        generation = generation + 1; // publishes the job to workers that see the new generation
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(body, tasks);
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

    private void work(Job body, int tasks) {
        for (int t; (t = next.getAndIncrement()) < tasks; ) {
            try {
                body.run(t);
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    private void workerLoop() {
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
            work(job, taskCount);
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
