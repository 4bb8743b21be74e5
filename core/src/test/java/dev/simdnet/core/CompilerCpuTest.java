package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JIT compiler threads' CPU time as the trainer's JIT watch reads it. */
class CompilerCpuTest {

    @TempDir
    Path dir;

    private RandomAccessFile file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.US_ASCII);
        return new RandomAccessFile(p.toFile(), "r");
    }

    @Test
    void sumsTheFirstFieldOfEachFileInMilliseconds() throws IOException {
        // schedstat: time on a CPU (ns), time waiting to run (ns), time slices.
        CompilerCpu cpu = new CompilerCpu(new RandomAccessFile[] {
            file("c1", "1500000000 2000 17\n"), file("c2", "2750999999 30 4\n")});
        try {
            assertEquals(4250, cpu.getAsLong(), "1,500 ms + 2,750.999999 ms, whole ms");
        } finally {
            cpu.close();
        }
    }

    @Test
    void readsTheFilesAgainEachTime() throws IOException {
        Path p = dir.resolve("c2");
        Files.writeString(p, "1000000 0 1\n");
        CompilerCpu cpu = new CompilerCpu(new RandomAccessFile[] {new RandomAccessFile(p.toFile(), "r")});
        try {
            assertEquals(1, cpu.getAsLong());
            Files.writeString(p, "123000000 0 1\n");
            assertEquals(123, cpu.getAsLong());
        } finally {
            cpu.close();
        }
    }

    @Test
    void anUnreadableFileCountsForNothingAndNoneReadableIsMinusOne() throws IOException {
        CompilerCpu cpu = new CompilerCpu(new RandomAccessFile[] {file("a", "garbage\n"), file("b", "5000000 1 1\n")});
        try {
            assertEquals(5, cpu.getAsLong());
        } finally {
            cpu.close();
        }
        CompilerCpu none = new CompilerCpu(new RandomAccessFile[] {file("c", ""), file("d", "x 1 2\n")});
        try {
            assertEquals(-1, none.getAsLong());
        } finally {
            none.close();
        }
    }

    @Test
    void onLinuxFindsTheCompilerThreads() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux's /proc only");
        CompilerCpu cpu = CompilerCpu.open();
        assertNotNull(cpu, "a HotSpot JVM on Linux has C1 and C2 compiler threads");
        try {
            long before = cpu.getAsLong();
            assertTrue(before >= 0);
            assertTrue(cpu.getAsLong() >= before, "time on a CPU only grows");
        } finally {
            cpu.close();
        }
    }
}
