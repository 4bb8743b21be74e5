package dev.simdnet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.simdnet.core.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @Test
    void theBundledSampleIsTenThousandRealDigits() throws IOException {
        TrainTest sample = Datasets.sample();
        assertEquals(8000, sample.train().size());
        assertEquals(2000, sample.test().size());
        assertEquals(28, sample.train().rows());
        assertEquals(28, sample.train().cols());
        assertEquals(10, sample.train().classes());
        int[] perClass = new int[10];
        for (int label : sample.train().labels()) {
            perClass[label]++;
        }
        for (int c = 0; c < 10; c++) {
            // "roughly balanced": 800 each on average.
            assertTrue(perClass[c] > 600 && perClass[c] < 1000, "class " + c + ": " + perClass[c]);
        }
        float[] px = sample.train().pixels();
        float max = 0;
        for (float p : px) {
            max = Math.max(max, p);
        }
        assertEquals(1f, max, "ink reaches full intensity");
    }

    @Test
    void unknownNamesAndMissingCachesAreClearErrors(@TempDir Path root) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.checkName("cifar"));
        assertTrue(e.getMessage().contains("mnist, fashion-mnist, sample"), e.getMessage());
        assertFalse(Datasets.isAvailable(root, "mnist"));
        assertTrue(Datasets.isAvailable(root, "sample"));
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Datasets.load(root, "mnist"));
        assertTrue(missing.getMessage().contains("download it first"), missing.getMessage());
    }

    /** The full Fashion-MNIST, where CI provides it (SIMDNET_TEST_DATA). */
    @Test
    void readsTheRealFashionMnist() throws IOException {
        String env = System.getenv("SIMDNET_TEST_DATA");
        assumeTrue(env != null && Files.isDirectory(Paths.get(env, "fashion-mnist")),
                "SIMDNET_TEST_DATA is not set: skipping the full Fashion-MNIST read");
        TrainTest data = MnistFormat.load("fashion-mnist", Paths.get(env, "fashion-mnist"));
        Dataset train = data.train();
        assertEquals(60000, train.size());
        assertEquals(10000, data.test().size());
        assertEquals(10, train.classes());
        int[] perClass = new int[10];
        for (int label : train.labels()) {
            perClass[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, perClass[c], "Fashion-MNIST has 6,000 training images per class");
        }
    }
}
