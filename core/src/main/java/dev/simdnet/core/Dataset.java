package dev.simdnet.core;

import java.util.Objects;

/**
 * Labelled examples in memory: {@code n} images of {@code rows x cols} pixels in [0, 1], stored one
 * example after another, and their classes in {@code labels}.
 *
 * <p>A dataset holds its pixels either as floats or, as image files store them, as bytes 0..255
 * that read as {@code value / 255f} ({@link #ofBytes}): a quarter of the memory (Fashion-MNIST's
 * 60,000 training images are 47 MB instead of 188 MB), and a quarter of the traffic when the
 * trainer fetches a minibatch from all over them. {@link #pixels()} gives floats either way.
 */
public final class Dataset {

    private final String name;
    /** The pixels as floats: given, or made from {@link #bytes} when first asked for. */
    private volatile float[] pixels;
    /** The pixels as bytes 0..255, or null for a dataset made of floats. */
    private final byte[] bytes;
    private final int[] labels;
    private final int count;
    private final int rows;
    private final int cols;
    private final int classes;

    public Dataset(String name, float[] pixels, int[] labels, int rows, int cols, int classes) {
        this(name, Objects.requireNonNull(pixels), null, pixels.length, labels, rows, cols, classes);
    }

    /**
     * A dataset whose pixels are bytes as image files hold them, 0 (background) to 255 (ink): pixel
     * {@code i} is {@code (pixels[i] & 0xFF) / 255f}. The array is kept, not copied.
     */
    public static Dataset ofBytes(String name, byte[] pixels, int[] labels, int rows, int cols, int classes) {
        return new Dataset(name, null, Objects.requireNonNull(pixels), pixels.length, labels, rows, cols, classes);
    }

    private Dataset(String name, float[] pixels, byte[] bytes, int length, int[] labels, int rows, int cols,
                    int classes) {
        this.name = Objects.requireNonNull(name);
        this.count = labels.length;
        if (rows <= 0 || cols <= 0 || classes <= 0) {
            throw new IllegalArgumentException("rows, cols and classes must be positive");
        }
        if ((long) count * rows * cols != length) {
            throw new IllegalArgumentException(name + ": " + length + " pixels do not make "
                    + count + " images of " + rows + "x" + cols);
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of example " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
        this.pixels = pixels;
        this.bytes = bytes;
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

    /**
     * All pixels as floats in [0, 1], example after example: the live array. For a dataset of
     * bytes, the first call makes it (4 bytes a pixel) and keeps it.
     */
    public float[] pixels() {
        float[] p = pixels;
        if (p == null) {
            p = new float[bytes.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = unit(bytes[i]);
            }
            pixels = p;
        }
        return p;
    }

    /** The pixels as bytes 0..255 for a dataset made by {@link #ofBytes} (the live array), else null. */
    public byte[] bytePixels() {
        return bytes;
    }

    /** A byte pixel as a float in [0, 1]: {@code (b & 0xFF) / 255f}, the one conversion simdnet uses. */
    public static float unit(byte b) {
        return (b & 0xFF) / 255f;
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
        if (bytes != null && pixels == null) {
            for (int k = 0; k < x.length; k++) {
                x[k] = unit(bytes[i * x.length + k]);
            }
        } else {
            System.arraycopy(pixels(), i * inputSize(), x, 0, x.length);
        }
        return x;
    }
}
