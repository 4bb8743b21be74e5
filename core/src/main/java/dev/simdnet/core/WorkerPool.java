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
 * <p>A worker joins a job only while it is open, and the caller closes it as soon as every task
 * has been taken: then it waits for the workers that joined, which are running, but never for one
 * that has not woken up yet. On a virtual machine a sleeping CPU can take longer to wake than a
 * small job takes: waiting for every worker to check in made the lecture network's step on two
 * threads 1.5-2x slower than on one, even with the worker given no task at all.
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
    /**
     * The current job's door: the number of workers in it, plus {@link #CLOSED} once the caller
     * has seen every task taken. Reset to 0 (open, empty) for each job, before it is published.
     */
    private final AtomicInteger gate = new AtomicInteger(CLOSED);
    private static final int CLOSED = 1 << 30;
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

    /**
     * The calling thread's number in this pool: 1 .. threads() - 1 for a worker, 0 for any other
     * thread (the caller of {@link #run}).
     */
    int self() {
        Thread t = Thread.currentThread();
        for (int i = 0; i < workers.length; i++) {
            if (workers[i] == t) {
                return i + 1;
            }
        }
        return 0;
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
        gate.set(0); // open: releases the job's fields to the workers that join
        generation = generation + 1; // wakes the spinning workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(0, body, tasks);
        // Every task is taken: let no more workers in, and wait for those inside to finish theirs.
        // One that joins later finds nothing to do, and one that never joined is not waited for.
        gate.getAndAdd(CLOSED);
        while (gate.get() != CLOSED) {
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

    /** Joins the current job if its gate is still open. */
    private boolean enter() {
        for (int v; ((v = gate.get()) & CLOSED) == 0; ) {
            if (gate.compareAndSet(v, v + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where thread i's share of {@code tasks} tasks begins (share threads() ends at tasks).
     * Rounded up, so that with fewer tasks than threads the caller's share is never the empty
     * one: the lecture network's first layer has two tasks, and on three or more threads the
     * caller would otherwise take one of the workers' every time, before they woke.
     */
    static int start(int i, int tasks, int threads) {
        return (int) (((long) i * tasks + threads - 1) / threads);
    }

    private int start(int i, int tasks) {
        return start(i, tasks, threads());
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

    /**
     * A worker's life: each turn, a method call. A loop that never returns is compiled only by
     * on-stack replacement, which the launcher turns off (see simdnet); the methods it calls are
     * compiled as any others, so the spinning and the work run compiled either way.
     */
    private void workerLoop(int self) {
        int seen = 0;
        while (!closed) {
            seen = nextJob(self, seen);
        }
    }

    /**
     * Waits for the job after generation {@code seen}, runs the worker's part of it if its gate is
     * still open, and returns its generation; {@code seen} once the pool is closed.
     */
    private int nextJob(int self, int seen) {
        long start = System.nanoTime();
        int g;
        while ((g = generation) == seen) {
            if (closed) {
                return seen;
            }
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        if (enter()) {
            // The job's fields as of the gate's opening: this job's, since the gate closes
            // before the next one's are written.
            work(self, job, taskCount);
            gate.decrementAndGet();
        }
        return g;
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
