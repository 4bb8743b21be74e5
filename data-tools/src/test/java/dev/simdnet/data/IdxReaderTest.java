package dev.simdnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The IDX reader on the fixtures made by src/test/resources/idx/make_fixtures.py. */
class IdxReaderTest {

    private static IdxReader.IdxArray read(String fixture, int dims) throws IOException {
        try (InputStream in = IdxReaderTest.class.getResourceAsStream("/idx/" + fixture)) {
            return IdxReader.read(fixture, in, dims);
        }
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        for (String suffix : new String[] {"", ".gz"}) {
            IdxReader.IdxArray images = read("good-images" + suffix, 3);
            assertArrayEquals(new int[] {5, 2, 3}, images.dims());
            assertEquals(30, images.data().length);
            // The generator writes (i * 37 + j) % 256 for image i, pixel j.
            assertEquals((4 * 37 + 5) % 256, images.data()[29] & 0xFF);
            IdxReader.IdxArray labels = read("good-labels" + suffix, 1);
            assertArrayEquals(new byte[] {3, 1, 4, 1, 5}, labels.data());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad-magic|1|magic number starts 50 4b",
        "float-type|1|type 0x0d (float)",
        "two-dims|1|has 2 dimensions; expected 1",
        "good-labels|3|has 1 dimension; expected 3",
        "zero-count|3|dimension 0 is 0",
        "absurd-header|3|claims 4294967280 elements, more than one array can hold",
        "huge-side|3|dimension 1 claims 100000",
        "truncated-data|3|announces 30 bytes of data, found 17",
        "truncated-header|3|ends inside the IDX header",
        "trailing-bytes|1|has 2 bytes after the 5",
        "truncated-gzip.gz|3|corrupt or truncated gzip data",
        "corrupt-gzip.gz|3|corrupt or truncated gzip data",
        "empty|1|is empty",
        "html.gz|1|is not an IDX file",
    })
    void refusesCorruptFilesPrecisely(String fixture, int dims, String expected) {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> read(fixture, dims));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(fixture), "the message names the file: " + e.getMessage());
    }

    @Test
    void absurdHeaderIsRefusedBeforeAllocating() throws IOException {
        // 0xFFFFFFF0 images claimed: refused from the header alone, whatever the heap.
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThrows(IdxFormatException.class, () -> read("absurd-header", 3));
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 64L << 20, "reading a lying header used " + (after - before) + " bytes");
    }

    @Test
    void loadsAFolderAndChecksCountsAgree(@TempDir Path dir) throws IOException {
        copy("good-images.gz", dir.resolve("train-images-idx3-ubyte.gz"));
        copy("good-labels", dir.resolve("train-labels-idx1-ubyte"));
        copy("good-images", dir.resolve("t10k-images-idx3-ubyte"));
        copy("good-labels.gz", dir.resolve("t10k-labels-idx1-ubyte.gz"));
        TrainTest data = MnistFormat.load("fixture", dir);
        assertEquals(5, data.train().size());
        assertEquals(2, data.train().rows());
        assertEquals(3, data.train().cols());
        assertEquals(6, data.train().classes(), "classes run up to the largest label, 5");
        // The generator writes byte (i * 37 + j) % 256 as pixel j of image i; pixels are bytes / 255.
        assertEquals(153 / 255f, data.test().pixels()[4 * 6 + 5], 0f);

        copy("four-labels", dir.resolve("t10k-labels-idx1-ubyte"));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> MnistFormat.load("fixture", dir));
        assertTrue(e.getMessage().contains("holds 5 images but") && e.getMessage().contains("holds 4 labels"),
                e.getMessage());

        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        IOException missing = assertThrows(IOException.class, () -> MnistFormat.load("fixture", dir));
        assertTrue(missing.getMessage().contains("t10k-labels-idx1-ubyte"), missing.getMessage());
    }

    private static void copy(String fixture, Path to) throws IOException {
        try (InputStream in = IdxReaderTest.class.getResourceAsStream("/idx/" + fixture)) {
            Files.copy(in, to);
        }
    }

    @Test
    void theFixtureNamesMatchTheFormat() {
        assertEquals(List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"), MnistFormat.FILES);
    }
}
