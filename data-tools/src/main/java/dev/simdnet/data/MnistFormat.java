package dev.simdnet.data;

import dev.simdnet.core.Dataset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * MNIST's layout: four IDX files, {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each optionally gzipped.
 * Fashion-MNIST and the bundled sample use the same names.
 */
public final class MnistFormat {

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private MnistFormat() {
    }

    /** Opens a named part of a dataset; the name is used in messages. */
    @FunctionalInterface
    interface Opener {
        InputStream open(String file) throws IOException;
    }

    /** The file {@code base} or {@code base.gz} in {@code dir}, preferring the gzipped one. */
    static Path find(Path dir, String base) throws NoSuchFileException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new NoSuchFileException(gz.toString(), null, dir + " has neither " + base + ".gz nor " + base);
    }

    /** True when {@code dir} holds all four files. */
    public static boolean isComplete(Path dir) {
        for (String f : FILES) {
            try {
                find(dir, f);
            } catch (NoSuchFileException e) {
                return false;
            }
        }
        return true;
    }

    /** Reads the four files of {@code dir}. */
    public static TrainTest load(String name, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such folder");
        }
        Path[] paths = new Path[FILES.size()];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = find(dir, FILES.get(i));
        }
        return load(name, dir.toString(), file -> Files.newInputStream(paths[FILES.indexOf(file)]),
                f -> paths[FILES.indexOf(f)].toString());
    }

    static TrainTest load(String name, String source, Opener opener, java.util.function.UnaryOperator<String> label)
            throws IOException {
        IdxReader.IdxArray trainImages = read(opener, label, TRAIN_IMAGES, 3);
        IdxReader.IdxArray trainLabels = read(opener, label, TRAIN_LABELS, 1);
        IdxReader.IdxArray testImages = read(opener, label, TEST_IMAGES, 3);
        IdxReader.IdxArray testLabels = read(opener, label, TEST_LABELS, 1);
        checkPair(trainImages, trainLabels);
        checkPair(testImages, testLabels);
        if (trainImages.dims()[1] != testImages.dims()[1] || trainImages.dims()[2] != testImages.dims()[2]) {
            throw new IdxFormatException(testImages.source() + " holds " + testImages.dims()[1] + "x"
                    + testImages.dims()[2] + " images but " + trainImages.source() + " holds "
                    + trainImages.dims()[1] + "x" + trainImages.dims()[2]);
        }
        int classes = 1 + Math.max(max(trainLabels.data()), max(testLabels.data()));
        return new TrainTest(name, source,
                toDataset(name + " train", trainImages, trainLabels, classes),
                toDataset(name + " test", testImages, testLabels, classes));
    }

    private static IdxReader.IdxArray read(Opener opener, java.util.function.UnaryOperator<String> label,
                                           String file, int dims) throws IOException {
        try (InputStream in = opener.open(file)) {
            return IdxReader.read(label.apply(file), in, dims);
        }
    }

    private static void checkPair(IdxReader.IdxArray images, IdxReader.IdxArray labels) throws IdxFormatException {
        if (images.count() != labels.count()) {
            throw new IdxFormatException(images.source() + " holds " + images.count() + " images but "
                    + labels.source() + " holds " + labels.count() + " labels; they must match");
        }
    }

    private static int max(byte[] labels) {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, b & 0xFF);
        }
        return max;
    }

    private static Dataset toDataset(String name, IdxReader.IdxArray images, IdxReader.IdxArray labels, int classes) {
        byte[] lb = labels.data();
        int[] ints = new int[lb.length];
        for (int i = 0; i < lb.length; i++) {
            ints[i] = lb[i] & 0xFF;
        }
        // The pixels stay bytes, as the file holds them: a quarter of the memory of floats.
        return Dataset.ofBytes(name, images.data(), ints, images.dims()[1], images.dims()[2], classes);
    }
}
