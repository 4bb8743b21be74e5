package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    private void task(Path tasks, String tid, String comm, String schedstat) throws IOException {
        Path t = Files.createDirectories(tasks.resolve(tid));
        Files.writeString(t.resolve("comm"), comm + "\n");
        if (schedstat != null) {
            Files.writeString(t.resolve("schedstat"), schedstat + "\n");
        }
    }

    @Test
    void opensTheCompilerThreadsOfATaskFolderAndNoOthers() throws IOException {
        Path tasks = dir.resolve("task");
        task(tasks, "100", "java", "900000000 0 1");
        task(tasks, "101", "C2 CompilerThre", "250000000 7 3");
        task(tasks, "102", "C1 CompilerThre", "40000000 7 3");
        task(tasks, "103", "VM Thread", "800000000 0 1");
        task(tasks, "104", "C2 CompilerThre", null); // no schedstat: left out
        CompilerCpu cpu = CompilerCpu.open(tasks);
        assertNotNull(cpu);
        try {
            assertEquals(290, cpu.getAsLong(), "the C1 and C2 threads' 250 + 40 ms only");
            Files.writeString(tasks.resolve("101/schedstat"), "310000000 7 4\n");
            assertEquals(350, cpu.getAsLong(), "read again: 310 + 40 ms");
        } finally {
            cpu.close();
        }
    }

    @Test
    void noneWhereNothingCanBeCounted() throws IOException {
        assertNull(CompilerCpu.open(dir.resolve("missing")), "no such folder (not Linux)");
        Path none = dir.resolve("none");
        task(none, "100", "java", "900000000 0 1");
        assertNull(CompilerCpu.open(none), "no compiler threads (an interpreter-only JVM)");
        Path zero = dir.resolve("zero");
        task(zero, "101", "C2 CompilerThre", "0 0 0");
        task(zero, "102", "C1 CompilerThre", "0 0 0");
        assertNull(CompilerCpu.open(zero), "no time counted: a kernel without scheduler statistics");
    }

    @Test
    void aReadingAllocatesNothing() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux's /proc only");
        CompilerCpu cpu = CompilerCpu.open();
        assertNotNull(cpu);
        try {
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (int i = 0; i < 2000; i++) { // the trainer reads it once a window, in its steps
                sum += cpu.getAsLong();
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1000; i++) {
                sum += cpu.getAsLong();
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(sum > 0);
            assertTrue(allocated < 1024, "1,000 readings allocated " + allocated + " bytes");
        } finally {
            cpu.close();
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
