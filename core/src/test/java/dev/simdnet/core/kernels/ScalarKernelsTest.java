package dev.simdnet.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The oracle itself, checked against values worked out by hand. */
class ScalarKernelsTest {

    private final Kernels k = new ScalarKernels();

    @Test
    void forwardIsAWTransposePlusB() {
        // A (2, 3), W (2, 3), b (2): Z[r][j] = sum_k A[r][k] W[j][k] + b[j].
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] w = {1, 0, -1, 0.5f, 0.5f, 0.5f};
        float[] b = {10, 20};
        float[] z = new float[4];
        k.forward(2, 3, 2, a, 0, 3, w, 0, 3, b, 0, z, 0, 2);
        assertArrayEquals(new float[] {1 - 3 + 10, 3 + 20, 4 - 6 + 10, 7.5f + 20}, z);
    }

    @Test
    void gradientsAreOuterProductsAndProducts() {
        // dZ (2 rows, 2 out), A (2 rows, 3 in).
        float[] dz = {1, 2, 3, 4};
        float[] a = {1, 0, 2, 0, 1, 1};
        float[] dw = new float[6];
        k.accumulateWeightGradient(2, 3, 2, dz, 0, 2, a, 0, 3, dw, 0, 3);
        // dW[j][k] = sum_r dZ[r][j] A[r][k]
        assertArrayEquals(new float[] {1, 3, 2 + 3, 2, 4, 4 + 4}, dw);
        float[] fresh = {9, 9, 9, 9, 9, 9};
        k.weightGradient(2, 3, 2, dz, 0, 2, a, 0, 3, fresh, 0, 3);
        assertArrayEquals(dw, fresh, "overwrites instead of adding");
        float[] db = {1, 1};
        k.accumulateBiasGradient(2, 2, dz, 0, 2, db, 0);
        assertArrayEquals(new float[] {1 + 4, 1 + 6}, db);
        // dA (2, 3) = dZ (2, 2) * W (2, 3)
        float[] w = {1, 2, 3, -1, 0, 1};
        float[] da = new float[6];
        k.inputGradient(2, 3, 2, dz, 0, 2, w, 0, 3, da, 0, 3);
        assertArrayEquals(new float[] {1 - 2, 2, 3 + 2, 3 - 4, 6, 9 + 4}, da);
    }

    @Test
    void activationsAndTheirDerivatives() {
        float[] z = {0, 2, -3};
        float[] a = new float[3];
        k.sigmoid(z, 0, a, 0, 3);
        assertEquals(0.5f, a[0]);
        assertEquals(1 / (1 + Math.exp(-2)), a[1], 1e-7);
        float[] g = {1, 1, 1};
        k.sigmoidBackward(a, 0, g, 0, 3);
        assertEquals(0.25f, g[0]);
        k.relu(z, 0, a, 0, 3);
        assertArrayEquals(new float[] {0, 2, 0}, a);
        g = new float[] {5, 6, 7};
        k.reluBackward(a, 0, g, 0, 3);
        assertArrayEquals(new float[] {0, 6, 0}, g);
        k.tanh(z, 0, a, 0, 3);
        assertEquals(Math.tanh(2), a[1], 1e-7);
    }

    @Test
    void sgdStepFollowsPyTorchsMomentumAndWeightDecay() {
        // One weight p = 1, summed gradient 4 over a minibatch of 2 (average 2), lr 0.1, wd 0.5,
        // momentum 0.9. PyTorch: g = 2 + 0.5 * 1 = 2.5; v = 0.9 * v + g; p -= 0.1 * v.
        float[] p = {1f};
        float[] grad = {4f};
        float[] v = {0f};
        k.sgdStep(p, grad, v, 0, 1, 0.5f, 0.1f, 0.9f, 0.5f);
        assertEquals(2.5f, v[0], 1e-6f);
        assertEquals(0.75f, p[0], 1e-6f);
        // Second step: g = 2 + 0.5 * 0.75 = 2.375; v = 0.9 * 2.5 + 2.375 = 4.625; p = 0.75 - 0.4625.
        k.sgdStep(p, grad, v, 0, 1, 0.5f, 0.1f, 0.9f, 0.5f);
        assertEquals(4.625f, v[0], 1e-6f);
        assertEquals(0.2875f, p[0], 1e-6f);
        // Without momentum the velocity is untouched (and may be null).
        float[] q = {1f};
        k.sgdStep(q, grad, null, 0, 1, 0.5f, 0.1f, 0f, 0f);
        assertEquals(0.8f, q[0], 1e-6f);
    }

    @Test
    void velocitiesBelowTheFloorBecomeZero() {
        // No gradient, no decay, momentum 0.5 (exact in binary): each velocity halves, and one that
        // lands below 2^-100 is stored as +0 (a subnormal velocity would slow every later step).
        float[] v = {0x1p-99f, 0x1p-100f, -0x1p-100f, 1e-40f, -1f, Float.NaN};
        float[] p = {1f, 1f, 1f, 1f, 1f, 1f};
        k.sgdStep(p, new float[6], v, 0, 6, 1f, 1f, 0.5f, 0f);
        assertEquals(0x1p-100f, v[0], "exactly the floor is kept");
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v[1]));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v[2]), "+0, whatever the sign");
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v[3]));
        assertEquals(-0.5f, v[4]);
        assertTrue(Float.isNaN(v[5]), "NaN is not hidden");
        assertEquals(1f, p[1], "a zero velocity moves nothing");
        assertEquals(1.5f, p[4]);
    }

    @Test
    void softmaxAndCosts() {
        float[] z = {0, (float) Math.log(3)};
        float[] a = new float[2];
        k.softmax(1, 2, z, 0, a, 0);
        assertArrayEquals(new float[] {0.25f, 0.75f}, a, 1e-7f);
        float[] g = new float[2];
        assertEquals(-Math.log(0.75), k.crossEntropyCost(1, 2, a, 0, new int[] {1}, 0, g, 0), 1e-7);
        assertArrayEquals(new float[] {0.25f, -0.25f}, g, 1e-7f);
        // Quadratic: a = (0.25, 0.75), y = (1, 0): 1/2 (0.75^2 + 0.75^2).
        assertEquals(0.5625, k.quadraticCost(1, 2, a, 0, new int[] {0}, 0, g, 0), 1e-7);
        assertArrayEquals(new float[] {-0.75f, 0.75f}, g, 1e-7f);
    }
}
