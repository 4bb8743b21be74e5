package dev.simdnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * How a layer cut by whole panels is shared out among threads: every column's work is done
 * exactly once, and every thread's share of the tasks holds the same work (counted by hand:
 * a whole panel is its width, a piece is its width over the number of threads).
 */
class WholePanelCutTest {

    private static final int P = Trainer.PANEL;

    @Test
    void everyColumnOnceAndEveryShareTheSameWork() {
        for (int t = 1; t <= 5; t++) {
            for (int n = 8 * P - 5; n <= 25 * P; n += 7) {
                check(n, t);
            }
            check(800, t);
            check(1024, t);
            check(16 * P, t);
        }
    }

    private static void check(int n, int t) {
        String what = n + " columns, " + t + " threads";
        int tasks = Trainer.wholeTasks(n, t);
        assertEquals(0, tasks % t, what + ": a share per thread");
        int per = tasks / t;
        // covered[c]: the pieces of column c's panel done, one bit each; whole[c]: done whole.
        int[] whole = new int[n];
        int[] pieces = new int[n];
        long[] shareWork = new long[t]; // in columns times t
        for (int task = 0; task < tasks; task++) {
            int p0 = Trainer.wholePanel(task, n, t);
            int piece = Trainer.wholePiece(task, n, t);
            assertTrue(p0 % P == 0 && p0 >= 0 && p0 < n, what + ": task " + task + " at " + p0);
            int width = Math.min(P, n - p0);
            for (int c = p0; c < p0 + width; c++) {
                if (piece < 0) {
                    whole[c]++;
                } else {
                    assertTrue(piece < t, what + ": piece " + piece);
                    assertEquals(0, pieces[c] & (1 << piece), what + ": piece " + piece + " twice at " + c);
                    pieces[c] |= 1 << piece;
                }
            }
            shareWork[task / per] += piece < 0 ? (long) width * t : width;
        }
        for (int c = 0; c < n; c++) {
            boolean once = whole[c] == 1 && pieces[c] == 0 || whole[c] == 0 && pieces[c] == (1 << t) - 1;
            assertTrue(once, what + ": column " + c + " whole " + whole[c] + " times, pieces " + pieces[c]);
        }
        for (int i = 1; i < t; i++) {
            assertEquals(shareWork[0], shareWork[i], what + ": share " + i);
        }
        if (t == 1) {
            assertEquals((n + P - 1) / P, tasks, what + ": one task a panel");
        }
        if (n == 800 && t == 2) {
            // W3 by hand: 16 full panels and one of 32 columns, 8 and a half of the 32 each.
            assertEquals(18, tasks);
            assertEquals(8 * P * 2 + 32, shareWork[0]);
        }
    }

    @Test
    void piecesCutEvenlyAtWholeTiles() {
        assertEquals(0, Trainer.cut(0, 2, 100, 4));
        assertEquals(48, Trainer.cut(1, 2, 100, 4));
        assertEquals(100, Trainer.cut(2, 2, 100, 4));
        assertEquals(392, Trainer.cut(1, 2, 784, 8));
        assertEquals(16, Trainer.cut(1, 3, 48, 8));
        assertEquals(0, Trainer.cut(1, 3, 16, 8), "5 rounds down to 0: an empty first piece");
        assertEquals(16, Trainer.cut(3, 3, 16, 8));
    }
}
