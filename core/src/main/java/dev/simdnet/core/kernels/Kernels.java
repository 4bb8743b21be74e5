package dev.simdnet.core.kernels;

/**
 * The numeric kernels of training and inference, over row-major {@code float[]} matrices given as
 * an array, an offset and a leading dimension (the distance between the starts of two rows).
 *
 * <p>Shapes are written {@code (rows, cols)}. In a training step the trainer, which keeps each
 * layer's weights transposed (WT, one row per input), calls per minibatch:
 * <ol>
 *   <li>for a dataset of bytes, {@link #unitFloats} on the minibatch's rows;
 *   <li>forward, layer by layer: {@link #forwardTransposed} then one activation ({@link #sigmoid},
 *       {@link #tanh}, {@link #relu}, or {@link #softmax} at the output);
 *   <li>the cost and its output gradient: {@link #quadraticCost} or {@link #crossEntropyCost};
 *   <li>backward, layer by layer from the output: for all but the first layer the nudges to the
 *       previous one ({@link #forwardTransposed} with dZ and W, no bias) and the activation's
 *       derivative ({@link #sigmoidBackward}, ...); then {@link #weightStepTransposed}, the weight
 *       gradient and its step of SGD in one, and {@link #accumulateBiasGradient} with
 *       {@link #sgdStep} for the biases.
 * </ol>
 * A first layer exactly {@link #pairedWidth} neurons wide takes the paired layout instead (see
 * {@link #pairedForward}): {@link #unitFloatPairs} (or {@link #floatPairs}), {@link #pairedForward}
 * and {@link #pairedWeightStep}.
 * The methods on the network's layout, W (out, in) ({@link #forward}, {@link #weightGradient},
 * {@link #inputGradient}, {@link #matVec}), serve inference and anyone using the kernels alone.
 *
 * <p>Implementations allocate nothing, never throw for a shape they handle poorly (they fall back
 * to plain loops), and are stateless, so one instance serves any number of threads.
 */
public interface Kernels {

    /**
     * 2^-100: a velocity below it in magnitude is stored as 0. A weight whose gradient is always 0
     * (a pixel that is blank in every image, say) keeps a velocity that momentum only decays, and
     * after some hundred steps it is a subnormal float, on which x86 arithmetic is many times slower
     * (a fused step measured 4x slower). Its effect on a weight is at most 2^-100 times the
     * learning rate per step.
     */
    float VELOCITY_FLOOR = 0x1p-100f;

    /** {@code v}, or 0 when {@code |v| < VELOCITY_FLOOR}: what every step stores as a velocity. */
    static float floorVelocity(float v) {
        return Math.abs(v) < VELOCITY_FLOOR ? 0f : v;
    }

    /** A short name for logs and reports: {@code scalar}, or {@code vector-256} and the like. */
    String name();

    /**
     * The forward pass of a fully connected layer over a minibatch: {@code Z = A * W^T + b}.
     * A (rows, in) with leading dimension lda; W (out, in), ldw; b (out); Z (rows, out), ldz.
     * Z is overwritten.
     */
    void forward(int rows, int in, int out,
                 float[] a, int aOff, int lda,
                 float[] w, int wOff, int ldw,
                 float[] b, int bOff,
                 float[] z, int zOff, int ldz);

    /**
     * The weight gradient, summed over the minibatch: {@code dW += dZ^T * A}, the outer products of
     * each example's nudges with the previous layer's activations.
     * dZ (rows, out), lddz; A (rows, in), lda; dW (out, in), lddw. dW is accumulated into.
     */
    void accumulateWeightGradient(int rows, int in, int out,
                                  float[] dz, int dzOff, int lddz,
                                  float[] a, int aOff, int lda,
                                  float[] dw, int dwOff, int lddw);

    /**
     * {@link #accumulateWeightGradient} that overwrites dW instead of adding to it:
     * {@code dW = dZ^T * A}. Saves zeroing dW and reading it back, two passes over memory per step.
     */
    void weightGradient(int rows, int in, int out,
                        float[] dz, int dzOff, int lddz,
                        float[] a, int aOff, int lda,
                        float[] dw, int dwOff, int lddw);

    /** The bias gradient: {@code db[j] += sum over rows of dZ[r][j]}. dZ (rows, out); db (out). */
    void accumulateBiasGradient(int rows, int out, float[] dz, int dzOff, int lddz, float[] db, int dbOff);

    /**
     * The nudges to the previous layer's activations: {@code dA = dZ * W}.
     * dZ (rows, out), lddz; W (out, in), ldw; dA (rows, in), ldda. dA is overwritten.
     */
    void inputGradient(int rows, int in, int out,
                       float[] dz, int dzOff, int lddz,
                       float[] w, int wOff, int ldw,
                       float[] da, int daOff, int ldda);

    /** Single-example inference: {@code y = W x + b}. W (out, in), ldw; x (in); b (out); y (out). */
    void matVec(int in, int out, float[] w, int wOff, int ldw, float[] x, int xOff,
                float[] b, int bOff, float[] y, int yOff);

    /** {@code a[i] = 1 / (1 + exp(-z[i]))} over n contiguous values; a may be z. */
    void sigmoid(float[] z, int zOff, float[] a, int aOff, int n);

    /** {@code a[i] = tanh(z[i])} over n contiguous values; a may be z. */
    void tanh(float[] z, int zOff, float[] a, int aOff, int n);

    /** {@code a[i] = max(z[i], 0)} over n contiguous values; a may be z. */
    void relu(float[] z, int zOff, float[] a, int aOff, int n);

    /** {@code g[i] *= a[i] * (1 - a[i])}: the sigmoid's derivative, from its output a. */
    void sigmoidBackward(float[] a, int aOff, float[] g, int gOff, int n);

    /** {@code g[i] *= 1 - a[i]^2}: tanh's derivative, from its output a. */
    void tanhBackward(float[] a, int aOff, float[] g, int gOff, int n);

    /** {@code g[i] = a[i] > 0 ? g[i] : 0}: ReLU's derivative, from its output a. */
    void reluBackward(float[] a, int aOff, float[] g, int gOff, int n);

    /** Row-wise softmax of Z (rows, n), contiguous rows, into A; A may be Z. */
    void softmax(int rows, int n, float[] z, int zOff, float[] a, int aOff);

    /**
     * The lecture's quadratic cost against one-hot targets, fused with its output gradient.
     * A (rows, n), contiguous rows; labels[labelOff + r] is row r's class. Writes
     * {@code grad = a - y} and returns the summed cost, {@code sum over rows of 1/2 * |a - y|^2}.
     */
    double quadraticCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                         float[] grad, int gradOff);

    /**
     * Cross-entropy of softmax outputs A (rows, n) against one-hot targets, fused with the gradient
     * with respect to the softmax's input: writes {@code grad = a - y} and returns the summed cost,
     * {@code -sum over rows of log a[label]}.
     */
    double crossEntropyCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                            float[] grad, int gradOff);

    /**
     * One step of stochastic gradient descent over {@code params[off .. off + n)}, with momentum and
     * weight decay as PyTorch's SGD defines them:
     * {@code g = gradScale * grads[i] + weightDecay * params[i]; v[i] = momentum * v[i] + g;
     * params[i] -= learningRate * v[i]}. Without momentum v is g itself and {@code velocity} is
     * neither read nor written (it may be null). {@code gradScale} turns the summed minibatch
     * gradient into its average. A velocity smaller in magnitude than {@link #VELOCITY_FLOOR} is
     * stored as 0 (see {@link #floorVelocity}).
     */
    void sgdStep(float[] params, float[] grads, float[] velocity, int off, int n,
                 float gradScale, float learningRate, float momentum, float weightDecay);

    // The trainer keeps each layer's weights transposed, WT (in, out) = W^T, while it trains: then
    // the forward pass and the weight gradient are both products whose vectors run along a row of
    // the result (the output neurons), without transposing anything per step. The network's own
    // layout, W (out, in), is what the methods above take.

    /**
     * The forward pass with the weights transposed: {@code Z = A * WT + b}. A (rows, in), lda;
     * WT (in, out), ldwt; b (out), or null for none; Z (rows, out), ldz, overwritten. (With dZ for
     * A and W for WT, this is also the input gradient {@code dA = dZ * W}.)
     */
    void forwardTransposed(int rows, int in, int out,
                           float[] a, int aOff, int lda,
                           float[] wt, int wtOff, int ldwt,
                           float[] b, int bOff,
                           float[] z, int zOff, int ldz);

    /**
     * The weight gradient in the transposed layout: {@code dWT = A^T * dZ}, so
     * {@code dWT[k][j] = sum over rows of A[r][k] * dZ[r][j]}. A (rows, in), lda; dZ (rows, out),
     * lddz; dWT (in, out), lddwt, overwritten.
     */
    void weightGradientTransposed(int rows, int in, int out,
                                  float[] a, int aOff, int lda,
                                  float[] dz, int dzOff, int lddz,
                                  float[] dwt, int dwtOff, int lddwt);

    /**
     * {@link #weightGradientTransposed} fused with {@link #sgdStep}: every weight of WT (in, out),
     * ldwt, takes the step of {@code sgdStep} with its gradient {@code (A^T * dZ)[k][j]}, which
     * never goes to memory. {@code velocity} has WT's layout and offsets (unused without momentum).
     */
    void weightStepTransposed(int rows, int in, int out,
                              float[] a, int aOff, int lda,
                              float[] dz, int dzOff, int lddz,
                              float[] wt, int wtOff, int ldwt, float[] velocity,
                              float gradScale, float learningRate, float momentum, float weightDecay);

    // The same three with A's rows anywhere in a: row r of A starts at a[aRows[aRowsOff + r] + aOff]. The
    // trainer's first layer reads the minibatch's examples straight from the dataset so.

    /** {@link #forwardTransposed(int, int, int, float[], int, int, float[], int, int, float[], int, float[], int, int)}, rows of A given by aRows. */
    void forwardTransposed(int rows, int in, int out,
                           float[] a, int[] aRows, int aRowsOff, int aOff,
                           float[] wt, int wtOff, int ldwt,
                           float[] b, int bOff,
                           float[] z, int zOff, int ldz);

    /** {@link #weightGradientTransposed(int, int, int, float[], int, int, float[], int, int, float[], int, int)}, rows of A given by aRows. */
    void weightGradientTransposed(int rows, int in, int out,
                                  float[] a, int[] aRows, int aRowsOff, int aOff,
                                  float[] dz, int dzOff, int lddz,
                                  float[] dwt, int dwtOff, int lddwt);

    /** {@link #weightStepTransposed(int, int, int, float[], int, int, float[], int, int, float[], int, int, float[], float, float, float, float)}, rows of A given by aRows. */
    void weightStepTransposed(int rows, int in, int out,
                              float[] a, int[] aRows, int aRowsOff, int aOff,
                              float[] dz, int dzOff, int lddz,
                              float[] wt, int wtOff, int ldwt, float[] velocity,
                              float gradScale, float learningRate, float momentum, float weightDecay);

    /**
     * {@code dst[dstOff + c * ldd + r] = src[srcOff + r * lds + c]} for r < rows, c < cols: a
     * (rows, cols) block of a row-major matrix, lds apart, transposed into a (cols, rows) one, ldd
     * apart.
     */
    default void transpose(int rows, int cols, float[] src, int srcOff, int lds, float[] dst, int dstOff, int ldd) {
        for (int c = 0; c < cols; c++) {
            int d = dstOff + c * ldd;
            for (int r = 0; r < rows; r++) {
                dst[d + r] = src[srcOff + r * lds + c];
            }
        }
    }

    /** {@code y[yOff + i] += x[xOff + i]} for i < n: each sum rounded once, as in Java. */
    default void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    /**
     * The distance between rows at which this implementation reads a matrix of {@code cols}
     * columns fastest as the A of {@link #forwardTransposed}: at least {@code cols}. A caller that
     * lays out its own buffer (the trainer's minibatch of pixels) may use it; any other works.
     */
    default int leadingDimension(int cols) {
        return cols;
    }

    /**
     * Pixels stored as bytes to floats in [0, 1]: {@code dst[i] = (src[i] & 0xFF) / 255f}, exactly
     * (the same bits as the scalar expression).
     */
    void unitFloats(byte[] src, int srcOff, float[] dst, int dstOff, int n);

    // The paired layout, for a first layer exactly one vector wide (the lecture network's 16
    // neurons at 512 bits). There the transposed products broadcast one input per FMA, and the
    // loads, not the FMAs, are the limit. In pairs, one 64-bit broadcast carries two inputs, each
    // lane of a vector holds one (input, neuron) product, and each broadcast feeds two FMAs.
    //
    // XP, the inputs in pairs: x[xOff + r * ldx + p] holds inputs 2p (low half of its bits) and
    // 2p + 1 (high half) of example r as floats; see pairOf.
    // WP, a layer's weights in pairs: WT[2p][j] is at wp[wpOff + 2 * (p * out + j)], WT[2p + 1][j]
    // right after it.
    // DZP, the nudges in pairs: dZ[r][j] at dzp[dzOff + 2 * (r * out + j)] and again right after.

    /**
     * The number of neurons (0 for none) of a layer whose products are faster in the paired layout
     * with this implementation than transposed.
     */
    default int pairedWidth() {
        return 0;
    }

    /**
     * The distance between rows at which this implementation reads XP of {@code pairs} pairs
     * fastest in {@link #pairedForward}: at least {@code pairs}. As {@link #leadingDimension}, a
     * caller that lays out its own XP may use it; any other works.
     */
    default int pairedLeadingDimension(int pairs) {
        return pairs;
    }

    /** Two floats as one double's bits, {@code lo} in the low half: an element of XP. */
    static double pairOf(float lo, float hi) {
        return Double.longBitsToDouble(((long) Float.floatToRawIntBits(hi) << 32)
                | (Float.floatToRawIntBits(lo) & 0xFFFF_FFFFL));
    }

    /** Input 2p + half (half 0 or 1) from an element of XP. */
    static float pairHalf(double pair, int half) {
        return Float.intBitsToFloat((int) (Double.doubleToRawLongBits(pair) >>> (32 * half)));
    }

    /**
     * {@link #unitFloats} into XP: {@code n} (even) bytes to {@code n / 2} pairs from
     * {@code dst[dstOff]} on.
     */
    default void unitFloatPairs(byte[] src, int srcOff, double[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i += 2) {
            dst[dstOff + i / 2] = pairOf((src[srcOff + i] & 0xFF) / 255f, (src[srcOff + i + 1] & 0xFF) / 255f);
        }
    }

    /** Floats into XP: {@code n} (even) of them to {@code n / 2} pairs from {@code dst[dstOff]} on. */
    default void floatPairs(float[] src, int srcOff, double[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i += 2) {
            dst[dstOff + i / 2] = pairOf(src[srcOff + i], src[srcOff + i + 1]);
        }
    }

    /**
     * DZP from dZ: {@code n} floats from {@code src[srcOff]} on, each twice in a row from
     * {@code dst[dstOff]} on.
     */
    default void floatsTwice(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = src[srcOff + i];
            dst[dstOff + 2 * i] = v;
            dst[dstOff + 2 * i + 1] = v;
        }
    }

    /**
     * The forward pass in the paired layout: {@code Z = X * WT + b} for {@code 2 * pairs} inputs of
     * XP (rows, pairs), ldx, and WP (pairs, out); b (out), or null for none; Z (rows, out), ldz,
     * overwritten.
     */
    default void pairedForward(int rows, int pairs, int out,
                               double[] x, int xOff, int ldx,
                               float[] wp, int wpOff,
                               float[] b, int bOff,
                               float[] z, int zOff, int ldz) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                float sum = b == null ? 0f : b[bOff + j];
                for (int p = 0; p < pairs; p++) {
                    double xp = x[xOff + r * ldx + p];
                    int w = wpOff + 2 * (p * out + j);
                    sum += pairHalf(xp, 0) * wp[w] + pairHalf(xp, 1) * wp[w + 1];
                }
                z[zOff + r * ldz + j] = sum;
            }
        }
    }

    /**
     * The weight gradient in the paired layout, {@code dWP = X^T * dZ} over the rows of XP, ldx,
     * and DZP (rows, out): WP's layout at dwp[dwpOff], overwritten.
     */
    default void pairedWeightGradient(int rows, int pairs, int out,
                                      double[] x, int xOff, int ldx,
                                      float[] dzp, int dzOff,
                                      float[] dwp, int dwpOff) {
        pairedProduct(rows, pairs, out, x, xOff, ldx, dzp, dzOff, dwp, dwpOff, null, 0f, 0f, 0f, 0f, false);
    }

    /**
     * {@link #pairedWeightGradient} fused with {@link #sgdStep} on WP, like
     * {@link #weightStepTransposed}; {@code velocity} has WP's layout and offsets.
     */
    default void pairedWeightStep(int rows, int pairs, int out,
                                  double[] x, int xOff, int ldx,
                                  float[] dzp, int dzOff,
                                  float[] wp, int wpOff, float[] velocity,
                                  float gradScale, float learningRate, float momentum, float weightDecay) {
        pairedProduct(rows, pairs, out, x, xOff, ldx, dzp, dzOff, wp, wpOff, velocity, gradScale, learningRate,
                momentum, weightDecay, true);
    }

    private void pairedProduct(int rows, int pairs, int out, double[] x, int xOff, int ldx, float[] dzp, int dzOff,
                               float[] w, int wOff, float[] velocity, float gradScale, float learningRate,
                               float momentum, float weightDecay, boolean step) {
        for (int p = 0; p < pairs; p++) {
            for (int i = 0; i < 2 * out; i++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    sum += pairHalf(x[xOff + r * ldx + p], i & 1) * dzp[dzOff + 2 * r * out + i];
                }
                int at = wOff + 2 * p * out + i;
                if (!step) {
                    w[at] = sum;
                    continue;
                }
                float g = gradScale * sum + weightDecay * w[at];
                if (momentum != 0f) {
                    velocity[at] = floorVelocity(momentum * velocity[at] + g);
                    g = velocity[at];
                }
                w[at] -= learningRate * g;
            }
        }
    }
}
