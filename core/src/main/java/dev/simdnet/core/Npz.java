package dev.simdnet.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} (a zip of {@code .npy} arrays), in the layout that moves weights to and from
 * PyTorch unchanged: {@code W0, b0, W1, b1, ...} as float32, {@code Wi} of shape (out, in) and
 * {@code bi} of shape (out,), as {@code torch.nn.Linear} holds them; {@code layers}, the sizes as
 * int32; and {@code meta}, a uint8 array of UTF-8 JSON such as
 * {@code {"activations": ["sigmoid", "sigmoid", "sigmoid"], "loss": "mse"}}.
 *
 * <pre>
 *   z = numpy.load("model.npz"); layer.weight.data = torch.from_numpy(z["W0"])
 * </pre>
 */
public final class Npz {

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final long MAX_ENTRY = 1L << 31;

    private Npz() {
    }

    /** Writes {@code net} as an {@code .npz} file, atomically. */
    public static void save(Network net, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * net.parameterCount());
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            float[] p = net.parameters();
            for (int l = 0; l < net.layers(); l++) {
                int in = net.size(l), out = net.size(l + 1);
                ByteBuffer w = ByteBuffer.allocate(4 * in * out).order(ByteOrder.LITTLE_ENDIAN);
                w.asFloatBuffer().put(p, net.weightOffset(l), in * out);
                entry(zip, "W" + l, "<f4", "(" + out + ", " + in + ")", w.array());
                ByteBuffer b = ByteBuffer.allocate(4 * out).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(p, net.biasOffset(l), out);
                entry(zip, "b" + l, "<f4", "(" + out + ",)", b.array());
            }
            int[] sizes = net.sizes();
            ByteBuffer layers = ByteBuffer.allocate(4 * sizes.length).order(ByteOrder.LITTLE_ENDIAN);
            layers.asIntBuffer().put(sizes);
            entry(zip, "layers", "<i4", "(" + sizes.length + ",)", layers.array());
            StringBuilder json = new StringBuilder("{\"activations\": [");
            for (int l = 0; l < net.layers(); l++) {
                json.append(l == 0 ? "" : ", ").append('"').append(net.activation(l).id()).append('"');
            }
            json.append("], \"loss\": \"").append(net.cost().id()).append("\"}");
            byte[] meta = json.toString().getBytes(StandardCharsets.UTF_8);
            entry(zip, "meta", "|u1", "(" + meta.length + ",)", meta);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private static void entry(ZipOutputStream zip, String name, String descr, String shape, byte[] data)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        // The header, with magic, version and length, is padded with spaces to a multiple of 64 bytes
        // and ends in a newline, as numpy writes it.
        int unpadded = NPY_MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        zip.write(NPY_MAGIC);
        zip.write(new byte[] {1, 0});
        int len = header.length();
        zip.write(new byte[] {(byte) len, (byte) (len >>> 8)});
        zip.write(header.getBytes(StandardCharsets.US_ASCII));
        zip.write(data);
        zip.closeEntry();
    }

    /** One array of a {@code .npy} file. */
    private record Array(String name, String descr, int[] shape, byte[] data) {
        long count() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * Reads a network from an {@code .npz} file. Activations and loss come from its {@code meta};
     * a file without one takes {@code hidden} and {@code cost} (as the command line gives them).
     */
    public static Network load(Path file, Activation hidden, Cost cost) throws IOException {
        String source = file.toString();
        Map<String, Array> arrays = new HashMap<>();
        try (InputStream raw = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    continue;
                }
                byte[] data = readEntry(zip, source, name);
                Array a = parseNpy(source + ":" + name, name.substring(0, name.length() - 4), data);
                arrays.put(a.name(), a);
            }
        } catch (ZipException e) {
            throw new ModelFormatException(source + " is not a readable .npz (zip) file: " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            throw new ModelFormatException(source + " is truncated: " + e.getMessage(), e);
        }
        if (arrays.isEmpty()) {
            throw new ModelFormatException(source + " holds no .npy arrays: not an .npz model file");
        }
        List<int[]> shapes = new ArrayList<>();
        for (int l = 0; arrays.containsKey("W" + l); l++) {
            Array w = arrays.get("W" + l);
            Array b = arrays.get("b" + l);
            requireFloat32(w);
            if (w.shape().length != 2) {
                throw new ModelFormatException(source + ": W" + l + " has shape " + shapeText(w.shape())
                        + "; a weight matrix is (out, in)");
            }
            if (b == null) {
                throw new ModelFormatException(source + " has W" + l + " but no b" + l);
            }
            requireFloat32(b);
            if (b.shape().length != 1 || b.shape()[0] != w.shape()[0]) {
                throw new ModelFormatException(source + ": b" + l + " has shape " + shapeText(b.shape())
                        + " but W" + l + " has " + w.shape()[0] + " rows");
            }
            if (!shapes.isEmpty() && shapes.get(shapes.size() - 1)[0] != w.shape()[1]) {
                throw new ModelFormatException(source + ": W" + l + " takes " + w.shape()[1] + " inputs but W"
                        + (l - 1) + " gives " + shapes.get(shapes.size() - 1)[0] + " outputs");
            }
            shapes.add(w.shape());
        }
        if (shapes.isEmpty()) {
            throw new ModelFormatException(source + " has no W0: not a simdnet/PyTorch layer file");
        }
        int[] sizes = new int[shapes.size() + 1];
        sizes[0] = shapes.get(0)[1];
        for (int l = 0; l < shapes.size(); l++) {
            sizes[l + 1] = shapes.get(l)[0];
        }
        Array layers = arrays.get("layers");
        if (layers != null) {
            int[] declared = ints(layers);
            if (!java.util.Arrays.equals(declared, sizes)) {
                throw new ModelFormatException(source + ": 'layers' says " + java.util.Arrays.toString(declared)
                        + " but the weight shapes give " + java.util.Arrays.toString(sizes));
            }
        }
        Activation[] activations = new Activation[sizes.length - 1];
        Cost loss = cost;
        Array meta = arrays.get("meta");
        if (meta != null) {
            String json = new String(meta.data(), StandardCharsets.UTF_8);
            Matcher acts = Pattern.compile("\"activations\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
            Matcher lossM = Pattern.compile("\"loss\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
            if (!acts.find() || !lossM.find()) {
                throw new ModelFormatException(source + ": meta lacks \"activations\" or \"loss\": " + json);
            }
            Matcher names = Pattern.compile("\"([^\"]*)\"").matcher(acts.group(1));
            int l = 0;
            while (names.find()) {
                if (l >= activations.length) {
                    throw new ModelFormatException(source + ": meta lists more activations than the "
                            + activations.length + " weight layers");
                }
                activations[l++] = Activation.parse(names.group(1), true);
            }
            if (l != activations.length) {
                throw new ModelFormatException(source + ": meta lists " + l + " activations for "
                        + activations.length + " weight layers");
            }
            loss = Cost.parse(lossM.group(1));
        } else {
            for (int l = 0; l < activations.length; l++) {
                activations[l] = l == activations.length - 1 ? cost.outputActivation() : hidden;
            }
        }
        Network net = ModelFile.networkFor(source, sizes, activations, loss);
        float[] p = net.parameters();
        for (int l = 0; l < net.layers(); l++) {
            ByteBuffer.wrap(arrays.get("W" + l).data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(p, net.weightOffset(l), net.size(l) * net.size(l + 1));
            ByteBuffer.wrap(arrays.get("b" + l).data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(p, net.biasOffset(l), net.size(l + 1));
        }
        return net;
    }

    private static byte[] readEntry(ZipInputStream zip, String source, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = zip.read(buf)) > 0; ) {
            total += n;
            if (total > MAX_ENTRY) {
                throw new ModelFormatException(source + ": " + name + " is larger than 2 GB");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static Array parseNpy(String where, String name, byte[] data) throws ModelFormatException {
        if (data.length < 10 || !java.util.Arrays.equals(data, 0, 6, NPY_MAGIC, 0, 6)) {
            throw new ModelFormatException(where + " is not a .npy array (wrong magic)");
        }
        int major = data[6];
        int headerLen;
        int start;
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            headerLen = Short.toUnsignedInt(bb.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = bb.getInt(8);
            start = 12;
        } else {
            throw new ModelFormatException(where + " has .npy version " + major + "; versions 1 to 3 are read");
        }
        if (headerLen < 0 || start + headerLen > data.length) {
            throw new ModelFormatException(where + " is truncated inside its header");
        }
        String header = new String(data, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher descr = Pattern.compile("'descr'\\s*:\\s*'([^']*)'").matcher(header);
        Matcher fortran = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)").matcher(header);
        Matcher shape = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)").matcher(header);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new ModelFormatException(where + " has a header numpy would not write: " + header.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new ModelFormatException(where + " is stored in Fortran order; save it C-contiguous");
        }
        List<Integer> dims = new ArrayList<>();
        for (String part : shape.group(1).split(",")) {
            if (!part.isBlank()) {
                try {
                    dims.add(Integer.parseInt(part.trim().replace("L", "")));
                } catch (NumberFormatException e) {
                    throw new ModelFormatException(where + " has a bad shape: (" + shape.group(1) + ")");
                }
            }
        }
        int[] dimArray = dims.stream().mapToInt(Integer::intValue).toArray();
        byte[] body = java.util.Arrays.copyOfRange(data, start + headerLen, data.length);
        Array a = new Array(name, descr.group(1), dimArray, body);
        long expected = a.count() * itemSize(where, a.descr());
        if (expected != body.length) {
            throw new ModelFormatException(where + " holds " + body.length + " bytes of data; its shape "
                    + shapeText(dimArray) + " of " + a.descr() + " needs " + expected);
        }
        return a;
    }

    private static int itemSize(String where, String descr) throws ModelFormatException {
        switch (descr) {
            case "<f4":
            case "<i4":
                return 4;
            case "<i8":
                return 8;
            case "|u1":
            case "<u1":
            case "|i1":
                return 1;
            default:
                throw new ModelFormatException(where + " has element type " + descr
                        + "; simdnet reads little-endian float32 weights ('<f4')");
        }
    }

    private static void requireFloat32(Array a) throws ModelFormatException {
        if (!a.descr().equals("<f4")) {
            throw new ModelFormatException(a.name() + " is " + a.descr() + "; weights and biases must be float32 ('<f4'),"
                    + " e.g. numpy's astype(numpy.float32)");
        }
    }

    private static int[] ints(Array a) throws ModelFormatException {
        ByteBuffer bb = ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) a.count();
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (a.descr()) {
                case "<i4" -> bb.getInt(4 * i);
                case "<i8" -> Math.toIntExact(bb.getLong(8 * i));
                default -> throw new ModelFormatException("layers is " + a.descr() + "; expected int32 ('<i4')");
            };
        }
        return v;
    }

    private static String shapeText(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString().toLowerCase(Locale.ROOT);
    }
}
