package dev.simdnet.core;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * simdnet's own model file: a small versioned binary format, little-endian throughout.
 *
 * <pre>
 *   magic        8 bytes   "SIMDNET\n"
 *   version      int32     1
 *   layers       int32     number of sizes n (input, hidden..., output), 2..64
 *   sizes        int32 x n
 *   activations  n-1 names, each int32 length + UTF-8 bytes (sigmoid, tanh, relu, softmax)
 *   loss         int32 length + UTF-8 bytes (mse, cross-entropy)
 *   count        int32     number of parameters, as the sizes imply
 *   parameters   float32 x count, in {@link Network}'s flat layout
 *   crc32        uint32    CRC-32 of every byte before it
 * </pre>
 *
 * Files are written to a temporary file beside the target and renamed over it, so a crash never
 * leaves half a model.
 */
public final class ModelFile {

    static final byte[] MAGIC = "SIMDNET\n".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    private static final int MAX_LAYERS = 64;
    private static final int MAX_SIZE = 1 << 24;
    private static final int MAX_NAME = 64;

    private ModelFile() {
    }

    /** Writes {@code net} to {@code file} atomically. */
    public static void save(Network net, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * net.parameterCount());
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        writeInt(out, VERSION);
        int[] sizes = net.sizes();
        writeInt(out, sizes.length);
        for (int s : sizes) {
            writeInt(out, s);
        }
        for (int l = 0; l < net.layers(); l++) {
            writeString(out, net.activation(l).id());
        }
        writeString(out, net.cost().id());
        writeInt(out, net.parameterCount());
        ByteBuffer params = ByteBuffer.allocate(4 * net.parameterCount()).order(ByteOrder.LITTLE_ENDIAN);
        params.asFloatBuffer().put(net.parameters());
        out.write(params.array());
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        writeInt(out, (int) crc.getValue());
        out.flush();
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private static void writeInt(DataOutputStream out, int v) throws IOException {
        out.writeInt(Integer.reverseBytes(v));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeInt(out, b.length);
        out.write(b);
    }

    /** Reads a model, naming the fault precisely when the file is not a valid one. */
    public static Network load(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        String name = file.toString();
        if (data.length < MAGIC.length || !java.util.Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ModelFormatException(name + " is not a simdnet model file (wrong magic number)");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        in.position(MAGIC.length);
        try {
            int version = in.getInt();
            if (version != VERSION) {
                throw new ModelFormatException(name + " is a model file of version " + version
                        + "; this simdnet reads version " + VERSION);
            }
            int n = in.getInt();
            if (n < 2 || n > MAX_LAYERS) {
                throw new ModelFormatException(name + " claims " + n + " layer sizes; the file is corrupt");
            }
            int[] sizes = new int[n];
            long expected = 0;
            for (int i = 0; i < n; i++) {
                sizes[i] = in.getInt();
                if (sizes[i] <= 0 || sizes[i] > MAX_SIZE) {
                    throw new ModelFormatException(name + " claims a layer of " + sizes[i] + " neurons; the file is corrupt");
                }
                if (i > 0) {
                    expected += (long) sizes[i - 1] * sizes[i] + sizes[i];
                }
            }
            Activation[] activations = new Activation[n - 1];
            for (int l = 0; l < n - 1; l++) {
                activations[l] = Activation.parse(readString(in, name), true);
            }
            Cost cost = Cost.parse(readString(in, name));
            int count = in.getInt();
            if (count != expected) {
                throw new ModelFormatException(name + " holds " + count + " parameters but its layer sizes need "
                        + expected + "; the file is corrupt");
            }
            long needed = (long) in.position() + 4L * count + 4;
            if (data.length < needed) {
                throw new ModelFormatException(name + " is truncated: " + data.length + " bytes, expected " + needed);
            }
            if (data.length > needed) {
                throw new ModelFormatException(name + " has " + (data.length - needed)
                        + " bytes after the model; the file is corrupt");
            }
            CRC32 crc = new CRC32();
            crc.update(data, 0, data.length - 4);
            int stored = ByteBuffer.wrap(data, data.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if ((int) crc.getValue() != stored) {
                throw new ModelFormatException(name + " fails its CRC-32 check: the file is corrupt");
            }
            Network net = networkFor(name, sizes, activations, cost);
            in.asFloatBuffer().get(net.parameters());
            return net;
        } catch (java.nio.BufferUnderflowException e) {
            throw new ModelFormatException(name + " is truncated: it ends inside the header", e);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(name + ": " + e.getMessage(), e);
        }
    }

    private static String readString(ByteBuffer in, String name) throws ModelFormatException {
        int len = in.getInt();
        if (len < 0 || len > MAX_NAME) {
            throw new ModelFormatException(name + " claims a name of " + len + " bytes; the file is corrupt");
        }
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A network of these sizes whose activations and cost are as listed, or a clear error. */
    static Network networkFor(String source, int[] sizes, Activation[] activations, Cost cost) throws ModelFormatException {
        if (activations.length != sizes.length - 1) {
            throw new ModelFormatException(source + " lists " + activations.length + " activations for "
                    + (sizes.length - 1) + " weight layers");
        }
        Activation output = activations[activations.length - 1];
        if (output != cost.outputActivation()) {
            throw new ModelFormatException(source + ": a " + cost.id() + " network's output is "
                    + cost.outputActivation().id() + ", not " + output.id());
        }
        Activation hidden = activations.length > 1 ? activations[0] : Activation.SIGMOID;
        for (int l = 0; l < activations.length - 1; l++) {
            if (activations[l] != hidden || hidden == Activation.SOFTMAX) {
                throw new ModelFormatException(source + ": hidden layers must share one of sigmoid, tanh, relu; got "
                        + java.util.Arrays.toString(activations));
            }
        }
        return new Network(sizes, hidden, cost);
    }
}
