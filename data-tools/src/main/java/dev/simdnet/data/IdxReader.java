package dev.simdnet.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A strict reader of the IDX format of the MNIST database, gzipped or not (told apart by the gzip
 * magic bytes, not the file name).
 *
 * <p>An IDX file is a 4-byte magic number {@code 00 00 TT NN} (TT the element type, 0x08 for
 * unsigned bytes; NN the number of dimensions), NN big-endian 32-bit sizes, then the elements in
 * row-major order. The reader checks every part, refuses headers that claim absurd sizes before
 * allocating anything, and checks that the data has exactly the bytes the header announces. Each
 * fault gets its own {@link IdxFormatException} naming the file.
 */
public final class IdxReader {

    /** Unsigned bytes, the only element type of MNIST-style image and label files. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;

    /** The most elements one file may claim: the largest Java byte array. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** No side of an image may be longer than this (MNIST's are 28). */
    public static final int MAX_IMAGE_SIDE = 1 << 14;

    private IdxReader() {
    }

    /** The dimensions and elements of one IDX file of unsigned bytes. */
    public record IdxArray(String source, int[] dims, byte[] data) {
        /** The number of items: the first dimension. */
        public int count() {
            return dims[0];
        }
    }

    /** Reads {@code file}, requiring {@code expectedDims} dimensions (1 for labels, 3 for images). */
    public static IdxArray read(Path file, int expectedDims) throws IOException {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(name, null, "no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(name, in, expectedDims);
        }
    }

    /**
     * Reads an IDX stream named {@code source} (for messages), gzipped or not, requiring
     * {@code expectedDims} dimensions. Does not close the stream.
     */
    public static IdxArray read(String source, InputStream raw, int expectedDims) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 < 0) {
            throw new IdxFormatException(source + " is empty, not an IDX file");
        }
        boolean gzipped = b0 == 0x1f && b1 == 0x8b;
        InputStream in = buffered;
        if (gzipped) {
            try {
                in = GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
            } catch (IOException e) {
                throw new IdxFormatException(source + " starts like gzip but its header is corrupt: " + e.getMessage(), e);
            }
        }
        try {
            return readIdx(source, in, expectedDims);
        } catch (IdxFormatException e) {
            throw e;
        } catch (EOFException e) {
            throw new IdxFormatException(source + (gzipped ? " has corrupt or truncated gzip data: it" : "")
                    + " ends inside the IDX header: the file is truncated", e);
        } catch (IOException e) {
            if (gzipped) {
                throw new IdxFormatException(source + " has corrupt or truncated gzip data: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static IdxArray readIdx(String source, InputStream in, int expectedDims) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int zero0 = data.readUnsignedByte();
        int zero1 = data.readUnsignedByte();
        int type = data.readUnsignedByte();
        int ndims = data.readUnsignedByte();
        if (zero0 != 0 || zero1 != 0) {
            throw new IdxFormatException(String.format(
                    "%s is not an IDX file: its magic number starts %02x %02x, an IDX file starts 00 00",
                    source, zero0, zero1));
        }
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new IdxFormatException(String.format(
                    "%s holds elements of type 0x%02x (%s); simdnet reads unsigned bytes (0x08), as MNIST's files have",
                    source, type, typeName(type)));
        }
        if (ndims != expectedDims) {
            throw new IdxFormatException(source + " has " + ndims + " dimension" + (ndims == 1 ? "" : "s")
                    + "; expected " + expectedDims + (expectedDims == 1 ? " (labels)" : " (images: count, rows, cols)"));
        }
        int[] dims = new int[ndims];
        long elements = 1;
        for (int i = 0; i < ndims; i++) {
            long d = Integer.toUnsignedLong(data.readInt());
            if (d == 0) {
                throw new IdxFormatException(source + ": dimension " + i + " is 0; nothing to read");
            }
            if (i > 0 && d > MAX_IMAGE_SIDE) {
                throw new IdxFormatException(source + ": dimension " + i + " claims " + d
                        + " elements, more than " + MAX_IMAGE_SIDE + "; the header is corrupt");
            }
            elements *= d;
            if (d > MAX_ELEMENTS || elements > MAX_ELEMENTS) {
                throw new IdxFormatException(source + ": the header claims " + describe(dims, i, d)
                        + " elements, more than one array can hold (" + MAX_ELEMENTS + "); the header is corrupt");
            }
            dims[i] = (int) d;
        }
        // readNBytes grows its buffer as data arrives, so a header that lies costs no more memory
        // than the bytes actually present.
        byte[] elementsRead = data.readNBytes((int) elements);
        if (elementsRead.length != elements) {
            throw new IdxFormatException(source + " is truncated: its header " + Arrays.toString(dims)
                    + " announces " + elements + " bytes of data, found " + elementsRead.length);
        }
        long extra = 0;
        byte[] skip = new byte[8192];
        for (int n; (n = data.read(skip)) > 0; ) {
            extra += n;
        }
        if (extra > 0) {
            throw new IdxFormatException(source + " has " + extra + " bytes after the " + elements
                    + " that its header " + Arrays.toString(dims) + " announces: it is not one IDX array");
        }
        return new IdxArray(source, dims, elementsRead);
    }

    private static String describe(int[] dims, int upTo, long last) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < upTo; i++) {
            sb.append(Integer.toUnsignedLong(dims[i])).append(" x ");
        }
        return sb.append(last).toString();
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "not an IDX type";
        };
    }
}
