package dev.simdnet.core;

/** The cost became NaN or infinite: the steps were too large for this network and data. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(int epoch, int minibatch, float learningRate) {
        super("training diverged in epoch " + epoch + ", minibatch " + minibatch
                + ": the cost is no longer a finite number; try a lower learning rate than " + learningRate);
    }
}
