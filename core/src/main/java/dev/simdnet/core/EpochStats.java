package dev.simdnet.core;

/**
 * What one epoch did.
 *
 * @param epoch             1-based
 * @param seconds           wall time of the training pass alone (not the evaluation)
 * @param examplesPerSecond training examples per second of that pass
 * @param trainLoss         the cost averaged over the epoch's examples, as seen during training
 * @param testAccuracy      fraction of the test set classified right after the epoch, or NaN
 *                          without a test set
 */
public record EpochStats(int epoch, double seconds, double examplesPerSecond, double trainLoss, double testAccuracy) {
}
