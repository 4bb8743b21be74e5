package dev.simdnet.core;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files that matter (models, reports) are written to a temporary file beside the target and then
 * renamed over it, so that a crash or Ctrl-C leaves either the old file or the complete new one.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code data} to {@code target} atomically, creating its folder if needed. */
    public static void write(Path target, byte[] data) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".part");
        try {
            Files.write(tmp, data);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
