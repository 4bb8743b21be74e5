package dev.simdnet.core.kernels;

/**
 * The kernels as plain loops, written the way the formulas read. They are the fallback where the
 * Vector API cannot run and the oracle the vector kernels are tested against, so clarity wins over
 * speed here. Nothing in this class may touch {@code jdk.incubator.vector}.
 */
public final class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void forward(int rows, int in, int out,
                        float[] a, int aOff, int lda,
                        float[] w, int wOff, int ldw,
                        float[] b, int bOff,
                        float[] z, int zOff, int ldz) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                float sum = 0f;
                for (int k = 0; k < in; k++) {
                    sum += a[aOff + r * lda + k] * w[wOff + j * ldw + k];
                }
                z[zOff + r * ldz + j] = sum + b[bOff + j];
            }
        }
    }

    @Override
    public void accumulateWeightGradient(int rows, int in, int out,
                                         float[] dz, int dzOff, int lddz,
                                         float[] a, int aOff, int lda,
                                         float[] dw, int dwOff, int lddw) {
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < in; k++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    sum += dz[dzOff + r * lddz + j] * a[aOff + r * lda + k];
                }
                dw[dwOff + j * lddw + k] += sum;
            }
        }
    }

    @Override
    public void weightGradient(int rows, int in, int out,
                               float[] dz, int dzOff, int lddz,
                               float[] a, int aOff, int lda,
                               float[] dw, int dwOff, int lddw) {
        for (int j = 0; j < out; j++) {
            java.util.Arrays.fill(dw, dwOff + j * lddw, dwOff + j * lddw + in, 0f);
        }
        accumulateWeightGradient(rows, in, out, dz, dzOff, lddz, a, aOff, lda, dw, dwOff, lddw);
    }

    @Override
    public void accumulateBiasGradient(int rows, int out, float[] dz, int dzOff, int lddz, float[] db, int dbOff) {
        for (int j = 0; j < out; j++) {
            float sum = 0f;
            for (int r = 0; r < rows; r++) {
                sum += dz[dzOff + r * lddz + j];
            }
            db[dbOff + j] += sum;
        }
    }

    @Override
    public void inputGradient(int rows, int in, int out,
                              float[] dz, int dzOff, int lddz,
                              float[] w, int wOff, int ldw,
                              float[] da, int daOff, int ldda) {
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < in; k++) {
                float sum = 0f;
                for (int j = 0; j < out; j++) {
                    sum += dz[dzOff + r * lddz + j] * w[wOff + j * ldw + k];
                }
                da[daOff + r * ldda + k] = sum;
            }
        }
    }

    @Override
    public void matVec(int in, int out, float[] w, int wOff, int ldw, float[] x, int xOff,
                       float[] b, int bOff, float[] y, int yOff) {
        for (int j = 0; j < out; j++) {
            float sum = 0f;
            for (int k = 0; k < in; k++) {
                sum += w[wOff + j * ldw + k] * x[xOff + k];
            }
            y[yOff + j] = sum + b[bOff + j];
        }
    }

    @Override
    public void sigmoid(float[] z, int zOff, float[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = sigmoid(z[zOff + i]);
        }
    }

    /** The logistic function; exp(-z) overflows to infinity for very negative z, giving exactly 0. */
    static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }

    @Override
    public void tanh(float[] z, int zOff, float[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = (float) Math.tanh(z[zOff + i]);
        }
    }

    @Override
    public void relu(float[] z, int zOff, float[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = Math.max(z[zOff + i], 0f);
        }
    }

    @Override
    public void sigmoidBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        for (int i = 0; i < n; i++) {
            float ai = a[aOff + i];
            g[gOff + i] *= ai * (1f - ai);
        }
    }

    @Override
    public void tanhBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        for (int i = 0; i < n; i++) {
            float ai = a[aOff + i];
            g[gOff + i] *= 1f - ai * ai;
        }
    }

    @Override
    public void reluBackward(float[] a, int aOff, float[] g, int gOff, int n) {
        for (int i = 0; i < n; i++) {
            if (!(a[aOff + i] > 0f)) {
                g[gOff + i] = 0f;
            }
        }
    }

    @Override
    public void softmax(int rows, int n, float[] z, int zOff, float[] a, int aOff) {
        for (int r = 0; r < rows; r++) {
            int zi = zOff + r * n;
            int ai = aOff + r * n;
            // Subtracting the row's maximum keeps exp from overflowing and leaves softmax unchanged.
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[zi + j]);
            }
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(z[zi + j] - max);
                a[ai + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < n; j++) {
                a[ai + j] *= inv;
            }
        }
    }

    @Override
    public double quadraticCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                                float[] grad, int gradOff) {
        double cost = 0;
        for (int r = 0; r < rows; r++) {
            int label = labels[labelOff + r];
            for (int j = 0; j < n; j++) {
                float y = j == label ? 1f : 0f;
                float diff = a[aOff + r * n + j] - y;
                grad[gradOff + r * n + j] = diff;
                cost += 0.5 * diff * diff;
            }
        }
        return cost;
    }

    @Override
    public double crossEntropyCost(int rows, int n, float[] a, int aOff, int[] labels, int labelOff,
                                   float[] grad, int gradOff) {
        double cost = 0;
        for (int r = 0; r < rows; r++) {
            int label = labels[labelOff + r];
            for (int j = 0; j < n; j++) {
                float y = j == label ? 1f : 0f;
                grad[gradOff + r * n + j] = a[aOff + r * n + j] - y;
            }
            // A probability that underflowed to 0 would give an infinite cost: clamp it.
            cost -= Math.log(Math.max(a[aOff + r * n + label], Float.MIN_NORMAL));
        }
        return cost;
    }

    @Override
    public void sgdStep(float[] params, float[] grads, float[] velocity, int off, int n,
                        float gradScale, float learningRate, float momentum, float weightDecay) {
        for (int i = off; i < off + n; i++) {
            float g = gradScale * grads[i] + weightDecay * params[i];
            if (momentum != 0f) {
                velocity[i] = Kernels.floorVelocity(momentum * velocity[i] + g);
                g = velocity[i];
            }
            params[i] -= learningRate * g;
        }
    }

    @Override
    public void forwardTransposed(int rows, int in, int out,
                                  float[] a, int aOff, int lda,
                                  float[] wt, int wtOff, int ldwt,
                                  float[] b, int bOff,
                                  float[] z, int zOff, int ldz) {
        forwardTransposed(rows, in, out, a, null, 0, aOff, lda, wt, wtOff, ldwt, b, bOff, z, zOff, ldz);
    }

    @Override
    public void forwardTransposed(int rows, int in, int out,
                                  float[] a, int[] aRows, int aRowsOff, int aOff,
                                  float[] wt, int wtOff, int ldwt,
                                  float[] b, int bOff,
                                  float[] z, int zOff, int ldz) {
        forwardTransposed(rows, in, out, a, aRows, aRowsOff, aOff, 0, wt, wtOff, ldwt, b, bOff, z, zOff, ldz);
    }

    /** Where row r of A starts: aRows[aRowsOff + r] + aOff when there is an index, else aOff + r * lda. */
    private static int row(int[] aRows, int aRowsOff, int aOff, int lda, int r) {
        return aRows != null ? aRows[aRowsOff + r] + aOff : aOff + r * lda;
    }

    private static void forwardTransposed(int rows, int in, int out,
                                          float[] a, int[] aRows, int aRowsOff, int aOff, int lda,
                                          float[] wt, int wtOff, int ldwt,
                                          float[] b, int bOff,
                                          float[] z, int zOff, int ldz) {
        for (int r = 0; r < rows; r++) {
            int ar = row(aRows, aRowsOff, aOff, lda, r);
            for (int j = 0; j < out; j++) {
                float sum = 0f;
                for (int k = 0; k < in; k++) {
                    sum += a[ar + k] * wt[wtOff + k * ldwt + j];
                }
                z[zOff + r * ldz + j] = b == null ? sum : sum + b[bOff + j];
            }
        }
    }

    @Override
    public void weightGradientTransposed(int rows, int in, int out,
                                         float[] a, int aOff, int lda,
                                         float[] dz, int dzOff, int lddz,
                                         float[] dwt, int dwtOff, int lddwt) {
        weightStep(rows, in, out, a, null, 0, aOff, lda, dz, dzOff, lddz, dwt, dwtOff, lddwt, null, 0f, 0f, 0f, 0f, false);
    }

    @Override
    public void weightGradientTransposed(int rows, int in, int out,
                                         float[] a, int[] aRows, int aRowsOff, int aOff,
                                         float[] dz, int dzOff, int lddz,
                                         float[] dwt, int dwtOff, int lddwt) {
        weightStep(rows, in, out, a, aRows, aRowsOff, aOff, 0, dz, dzOff, lddz, dwt, dwtOff, lddwt, null, 0f, 0f, 0f, 0f, false);
    }

    @Override
    public void weightStepTransposed(int rows, int in, int out,
                                     float[] a, int aOff, int lda,
                                     float[] dz, int dzOff, int lddz,
                                     float[] wt, int wtOff, int ldwt, float[] velocity,
                                     float gradScale, float learningRate, float momentum, float weightDecay) {
        weightStep(rows, in, out, a, null, 0, aOff, lda, dz, dzOff, lddz, wt, wtOff, ldwt, velocity,
                gradScale, learningRate, momentum, weightDecay, true);
    }

    @Override
    public void weightStepTransposed(int rows, int in, int out,
                                     float[] a, int[] aRows, int aRowsOff, int aOff,
                                     float[] dz, int dzOff, int lddz,
                                     float[] wt, int wtOff, int ldwt, float[] velocity,
                                     float gradScale, float learningRate, float momentum, float weightDecay) {
        weightStep(rows, in, out, a, aRows, aRowsOff, aOff, 0, dz, dzOff, lddz, wt, wtOff, ldwt, velocity,
                gradScale, learningRate, momentum, weightDecay, true);
    }

    /**
     * g = (A^T dZ)[k][j] for every weight of WT; with {@code step}, the weight takes sgdStep's step
     * with g, else g is stored in its place.
     */
    private static void weightStep(int rows, int in, int out,
                                   float[] a, int[] aRows, int aRowsOff, int aOff, int lda,
                                   float[] dz, int dzOff, int lddz,
                                   float[] wt, int wtOff, int ldwt, float[] velocity,
                                   float gradScale, float learningRate, float momentum, float weightDecay,
                                   boolean step) {
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < out; j++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    sum += a[row(aRows, aRowsOff, aOff, lda, r) + k] * dz[dzOff + r * lddz + j];
                }
                int i = wtOff + k * ldwt + j;
                if (!step) {
                    wt[i] = sum;
                    continue;
                }
                float g = gradScale * sum + weightDecay * wt[i];
                if (momentum != 0f) {
                    velocity[i] = Kernels.floorVelocity(momentum * velocity[i] + g);
                    g = velocity[i];
                }
                wt[i] -= learningRate * g;
            }
        }
    }

    @Override
    public void unitFloats(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = (src[srcOff + i] & 0xFF) / 255f;
        }
    }
}
