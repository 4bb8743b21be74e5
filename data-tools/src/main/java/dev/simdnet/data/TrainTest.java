package dev.simdnet.data;

import dev.simdnet.core.Dataset;

/** A dataset's training and test sets, and where they came from (for messages and reports). */
public record TrainTest(String name, String source, Dataset train, Dataset test) {
}
