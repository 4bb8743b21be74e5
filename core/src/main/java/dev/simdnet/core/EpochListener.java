package dev.simdnet.core;

/** Told about each epoch as soon as it ends (and its test accuracy is known). */
@FunctionalInterface
public interface EpochListener {
    void epochDone(EpochStats stats);

    /**
     * After every minibatch: how far the epoch is and the cost averaged over its examples so far.
     * Called on the training thread, between steps: keep it cheap (throttle any printing).
     */
    default void minibatchDone(int epoch, int examplesDone, int examplesTotal, double meanCostSoFar) {
    }
}
