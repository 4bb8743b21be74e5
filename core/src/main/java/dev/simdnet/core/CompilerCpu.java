package dev.simdnet.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The CPU time the JVM's JIT compiler threads have run, in ms, from Linux's per-thread scheduler
 * statistics ({@code /proc/self/task/TID/schedstat}, whose first field is the thread's time on a
 * CPU in ns). Unlike the JVM's total compilation time, which grows only when a compilation
 * finishes, it grows while one is under way: a 150 ms compilation is seen from its start, not
 * once it is over.
 *
 * <p>The threads are those named {@code C1 CompilerThre...} or {@code C2 CompilerThre...} when
 * {@link #open} runs; each file stays open and is read again into the same buffer, so a reading
 * allocates nothing. Threads the JVM starts later (it may add compiler threads on a machine with
 * many cores) are not seen.
 */
final class CompilerCpu implements LongSupplier {

    private final RandomAccessFile[] files;
    private final byte[] buffer = new byte[64];

    /** Over the given files, each a schedstat or like one (for the tests). */
    CompilerCpu(RandomAccessFile[] files) {
        this.files = files;
    }

    /**
     * The compiler threads' CPU time, or null where it cannot be read: not Linux, no such
     * threads, or no time counted for them (a kernel that keeps no scheduler statistics).
     */
    static CompilerCpu open() {
        return open(Path.of("/proc/self/task"));
    }

    /** {@link #open()} over a folder laid out as {@code /proc/self/task} (for the tests). */
    static CompilerCpu open(Path tasks) {
        List<RandomAccessFile> found = new ArrayList<>();
        try {
            if (!Files.isDirectory(tasks)) {
                return null;
            }
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
                for (Path task : dir) {
                    String name;
                    try {
                        name = new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.UTF_8).trim();
                    } catch (IOException e) {
                        continue; // the thread ended meanwhile
                    }
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        try {
                            found.add(new RandomAccessFile(task.resolve("schedstat").toFile(), "r"));
                        } catch (IOException e) {
                            // no schedstat for this thread: the others may do
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(found);
            return null;
        }
        CompilerCpu cpu = new CompilerCpu(found.toArray(new RandomAccessFile[0]));
        // By the time a trainer exists the JIT has compiled for a while: no time at all means
        // the kernel does not count it, and the watch would never see the JIT busy.
        if (cpu.getAsLong() <= 0) {
            cpu.close();
            return null;
        }
        return cpu;
    }

    /**
     * The threads' time on a CPU so far, in ms, or -1 if none could be read. A thread that has
     * ended (the JVM may stop a compiler thread it added) counts no more, so the sum can drop.
     * Synchronized: the trainers of a JVM share one, and its files and buffer.
     */
    @Override
    public synchronized long getAsLong() {
        long ns = 0;
        boolean any = false;
        for (RandomAccessFile f : files) {
            long t = readFirstNumber(f);
            if (t >= 0) {
                ns += t;
                any = true;
            }
        }
        return any ? ns / 1_000_000 : -1;
    }

    private long readFirstNumber(RandomAccessFile f) {
        int n;
        try {
            f.seek(0);
            n = f.read(buffer);
        } catch (IOException e) {
            return -1;
        }
        long v = 0;
        int digits = 0;
        for (int i = 0; i < n; i++) {
            int d = buffer[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    void close() {
        closeAll(List.of(files));
    }

    private static void closeAll(List<RandomAccessFile> files) {
        for (RandomAccessFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                // read-only: nothing lost
            }
        }
    }
}
