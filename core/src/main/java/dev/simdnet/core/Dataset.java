package dev.simdnet.core;

import java.util.Objects;

/**
 * Labelled examples in memory: {@code n} images of {@code rows x cols} pixels in [0, 1], stored one
 * example after another in {@code pixels}, and their classes in {@code labels}.
 */
public final class Dataset {

    private final String name;
    private final float[] pixels;
    private final int[] labels;
    private final int count;
    private final int rows;
    private final int cols;
    private final int classes;

    public Dataset(String name, float[] pixels, int[] labels, int rows, int cols, int classes) {
        this.name = Objects.requireNonNull(name);
        this.count = labels.length;
        if (rows <= 0 || cols <= 0 || classes <= 0) {
            throw new IllegalArgumentException("rows, cols and classes must be positive");
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixels do not make "
                    + count + " images of " + rows + "x" + cols);
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of example " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
        this.cols = cols;
        this.classes = classes;
    }

    public String name() {
        return name;
    }

    /** Number of examples. */
    public int size() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Pixels per example: the network's input size. */
    public int inputSize() {
        return rows * cols;
    }

    public int classes() {
        return classes;
    }

    /** All pixels, example after example: the live array. */
    public float[] pixels() {
        return pixels;
    }

    /** All labels: the live array. */
    public int[] labels() {
        return labels;
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of example {@code i}'s pixels. */
    public float[] image(int i) {
        float[] x = new float[inputSize()];
        System.arraycopy(pixels, i * inputSize(), x, 0, x.length);
        return x;
    }
}
