package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** simdnet's model format and NumPy's .npz: round trips, NumPy-written files, and corrupt files. */
class ModelFilesTest {

    @TempDir
    Path dir;

    private static Network sample() {
        return Network.create(new int[] {7, 5, 3}, Activation.TANH, Cost.CROSS_ENTROPY, 12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.simdnet", "model.npz"})
    void roundTripsExactly(String name) throws IOException {
        Network net = sample();
        Path file = dir.resolve(name);
        Models.save(net, file);
        Network back = Models.load(file, Activation.SIGMOID, Cost.MSE);
        assertArrayEquals(net.sizes(), back.sizes());
        assertEquals(Activation.TANH, back.hiddenActivation());
        assertEquals(Cost.CROSS_ENTROPY, back.cost());
        assertArrayEquals(net.parameters(), back.parameters());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left beside the model");
        }
    }

    @Test
    void readsWhatNumPyWrote() throws IOException {
        Network net = Npz.load(fixture("with-meta.npz"), Activation.SIGMOID, Cost.MSE);
        assertArrayEquals(new int[] {4, 3, 2}, net.sizes());
        assertEquals(Activation.TANH, net.hiddenActivation());
        assertEquals(Cost.CROSS_ENTROPY, net.cost());
        checkFixtureValues(net);
        // No meta: activations and loss come from the caller; compressed entries, int64 layers.
        Network plain = Npz.load(fixture("no-meta.npz"), Activation.RELU, Cost.MSE);
        assertEquals(Activation.RELU, plain.hiddenActivation());
        assertEquals(Cost.MSE, plain.cost());
        checkFixtureValues(plain);
    }

    /** The values make_npz.py wrote, computed here by hand from its formulas. */
    private static void checkFixtureValues(Network net) {
        float[] p = net.parameters();
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(0.5f * (4 * j + k), p[net.weightOffset(0) + j * 4 + k]);
            }
            assertEquals(-j, p[net.biasOffset(0) + j]);
        }
        for (int j = 0; j < 2; j++) {
            for (int k = 0; k < 3; k++) {
                assertEquals(0.25f * (3 * j + k), p[net.weightOffset(1) + j * 3 + k]);
            }
            assertEquals(10 + j, p[net.biasOffset(1) + j]);
        }
    }

    @Test
    void refusesNpzFilesItCannotUse() throws IOException {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Npz.load(fixture("float64.npz"), Activation.SIGMOID, Cost.MSE));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Npz.load(fixture("bad-chain.npz"), Activation.SIGMOID, Cost.MSE));
        assertTrue(e.getMessage().contains("W1 takes 5 inputs but W0 gives 3 outputs"), e.getMessage());
        Path notZip = dir.resolve("x.npz");
        Files.writeString(notZip, "hello");
        e = assertThrows(ModelFormatException.class, () -> Npz.load(notZip, Activation.SIGMOID, Cost.MSE));
        assertTrue(e.getMessage().contains("x.npz"), e.getMessage());
    }

    private Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = ModelFilesTest.class.getResourceAsStream("/npz/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void namesEachKindOfCorruption() throws IOException {
        Path good = dir.resolve("good.simdnet");
        ModelFile.save(sample(), good);
        byte[] bytes = Files.readAllBytes(good);

        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertFault(magic, "wrong magic number");

        byte[] version = bytes.clone();
        ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 9);
        assertFault(version, "version 9; this simdnet reads version 1");

        byte[] flipped = bytes.clone();
        flipped[bytes.length - 20] ^= 0x40; // inside the parameters
        assertFault(flipped, "fails its CRC-32 check");

        assertFault(Arrays.copyOf(bytes, bytes.length - 7), "is truncated");
        assertFault(Arrays.copyOf(bytes, 14), "ends inside the header");
        assertFault(Arrays.copyOf(bytes, bytes.length + 3), "bytes after the model");

        byte[] layers = bytes.clone();
        ByteBuffer.wrap(layers).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 100000);
        assertFault(layers, "claims 100000 layer sizes");
    }

    private void assertFault(byte[] content, String expected) throws IOException {
        Path bad = dir.resolve("bad.simdnet");
        Files.write(bad, content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(bad));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("bad.simdnet"), "names the file: " + e.getMessage());
    }
}
