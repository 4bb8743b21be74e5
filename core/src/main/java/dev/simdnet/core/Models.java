package dev.simdnet.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Model files by extension: {@code .npz} is NumPy's format, anything else simdnet's own. */
public final class Models {

    private Models() {
    }

    public static boolean isNpz(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz");
    }

    /** Saves {@code net} to {@code file} in the format its extension names, atomically. */
    public static void save(Network net, Path file) throws IOException {
        if (isNpz(file)) {
            Npz.save(net, file);
        } else {
            ModelFile.save(net, file);
        }
    }

    /**
     * Loads a model; an {@code .npz} without {@code meta} takes {@code hidden} and {@code cost},
     * which simdnet's own files ignore (they always record theirs).
     */
    public static Network load(Path file, Activation hidden, Cost cost) throws IOException {
        return isNpz(file) ? Npz.load(file, hidden, cost) : ModelFile.load(file);
    }
}
