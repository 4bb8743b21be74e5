package dev.simdnet.core;

/** Told about each epoch as soon as it ends (and its test accuracy is known). */
@FunctionalInterface
public interface EpochListener {
    void epochDone(EpochStats stats);
}
