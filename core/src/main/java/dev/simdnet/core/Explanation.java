package dev.simdnet.core;

/**
 * Backpropagation of one example, with every intermediate the lecture talks about, as computed by
 * the trainer's own backward pass.
 *
 * @param label           the example's class
 * @param cost            its cost
 * @param activations     activations[0] is the input; activations[l + 1] the output of weight layer l
 * @param activationGrads activationGrads[l + 1] is dC/da for the output of weight layer l: minus it
 *                        is how much each neuron would like its activation to change. For the
 *                        output layer under cross-entropy it is dC/dz (softmax and cost together).
 *                        activationGrads[0] is null: the input cannot be nudged.
 * @param zGrads          zGrads[l] is dC/dz for weight layer l, the nudges to the weighted inputs
 * @param gradient        dC/dp for every parameter, in {@link Network}'s flat layout
 */
public record Explanation(int label, double cost, float[][] activations, float[][] activationGrads,
                          float[][] zGrads, float[] gradient) {
}
