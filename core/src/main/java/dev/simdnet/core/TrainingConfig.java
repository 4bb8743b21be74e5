package dev.simdnet.core;

/**
 * How to run stochastic gradient descent.
 *
 * @param batchSize    examples per minibatch (the last minibatch of an epoch may be smaller)
 * @param learningRate step size; it multiplies the gradient of the cost averaged over the minibatch
 * @param epochs       passes over the training set
 * @param seed         drives the shuffle (and nothing else: the network brings its own weights)
 * @param shuffle      reshuffle the training set before every epoch
 * @param momentum     PyTorch's momentum: {@code v = momentum * v + g; w -= lr * v}; 0 for plain SGD
 * @param weightDecay  L2 weight decay, {@code weightDecay * w} added to the gradient of weights
 *                     (not biases)
 */
public record TrainingConfig(int batchSize, float learningRate, int epochs, long seed, boolean shuffle,
                             float momentum, float weightDecay) {

    /** The seed used when none is given. */
    public static final long DEFAULT_SEED = 42L;

    public TrainingConfig {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be at least 0 and below 1, got " + momentum);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be 0 or more, got " + weightDecay);
        }
    }

    /** Plain SGD: no momentum, no weight decay. */
    public TrainingConfig(int batchSize, float learningRate, int epochs, long seed, boolean shuffle) {
        this(batchSize, learningRate, epochs, seed, shuffle, 0f, 0f);
    }

    /** The lecture's recipe: minibatches of 100, learning rate 3.0, 10 epochs, shuffled. */
    public static TrainingConfig lecture() {
        return new TrainingConfig(100, 3.0f, 10, DEFAULT_SEED, true);
    }
}
