package dev.simdnet.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * The named datasets and where they live: {@code sample} is bundled inside this jar; {@code mnist}
 * and {@code fashion-mnist} are read from the cache folder, {@code $SIMDNET_HOME/<name>} or else
 * {@code ~/.cache/simdnet/<name>}, holding the four original {@code .gz} files.
 */
public final class Datasets {

    public static final String SAMPLE = "sample";
    public static final String MNIST = "mnist";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final List<String> NAMES = List.of(MNIST, FASHION_MNIST, SAMPLE);

    private static final String SAMPLE_RESOURCES = "/dev/simdnet/data/sample/";

    private Datasets() {
    }

    /** The dataset name, lower-cased, or an {@link IllegalArgumentException} naming the choices. */
    public static String checkName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown dataset '" + name + "': choose one of "
                    + String.join(", ", NAMES) + ", or give a folder with --data");
        }
        return n;
    }

    /** The root of the dataset cache: {@code $SIMDNET_HOME}, else {@code ~/.cache/simdnet}. */
    public static Path cacheRoot() {
        String home = System.getenv("SIMDNET_HOME");
        if (home != null && !home.isBlank()) {
            return Paths.get(home);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "simdnet");
    }

    /** The cache folder of a downloadable dataset. */
    public static Path cacheDir(Path root, String name) {
        return root.resolve(name);
    }

    /** True when the named dataset can be loaded without the network. */
    public static boolean isAvailable(Path root, String name) {
        return name.equals(SAMPLE) || MnistFormat.isComplete(cacheDir(root, name));
    }

    /** Loads a named dataset: the bundled sample, or a downloaded one from the cache. */
    public static TrainTest load(Path root, String name) throws IOException {
        String n = checkName(name);
        if (n.equals(SAMPLE)) {
            return sample();
        }
        Path dir = cacheDir(root, n);
        if (!MnistFormat.isComplete(dir)) {
            throw new NoSuchFileException(dir.toString(), null,
                    n + " is not in the cache; download it first (its four files go in this folder)");
        }
        return MnistFormat.load(n, dir);
    }

    /**
     * The bundled sample: 10,000 real MNIST digits (8,000 for training, 2,000 for testing), shipped
     * as the four gzipped IDX files inside this jar, so that simdnet works offline.
     */
    public static TrainTest sample() throws IOException {
        return MnistFormat.load(SAMPLE, "the bundled MNIST sample", file -> {
            InputStream in = Datasets.class.getResourceAsStream(SAMPLE_RESOURCES + file + ".gz");
            if (in == null) {
                throw new NoSuchFileException(file + ".gz", null, "missing from the simdnet jar; rebuild it");
            }
            return in;
        }, file -> "sample/" + file + ".gz");
    }
}
