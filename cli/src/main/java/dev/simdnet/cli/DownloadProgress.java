package dev.simdnet.cli;

import dev.simdnet.data.Downloader;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Locale;

/**
 * Shows a download: a progress bar redrawn in place on a terminal, plain lines otherwise (logs,
 * CI), and every failed attempt as it happens.
 */
final class DownloadProgress implements Downloader.Listener {

    private final PrintWriter out;
    private final boolean terminal;
    private int lastQuarter = -1;

    DownloadProgress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** True when standard output is a terminal, where a bar can be redrawn with carriage returns. */
    static boolean onTerminal() {
        return System.console() != null;
    }

    @Override
    public void cached(String file) {
        out.println("  " + file + ": already downloaded and verified");
        out.flush();
    }

    @Override
    public void started(String file, URI from, long expected) {
        lastQuarter = -1;
        out.println("  " + file + ": downloading from " + from + (expected > 0 ? " (" + mb(expected) + ")" : ""));
        out.flush();
    }

    @Override
    public void progress(String file, long bytes, long expected, double bytesPerSecond) {
        if (terminal) {
            int width = 30;
            double f = expected > 0 ? Math.min(1.0, (double) bytes / expected) : 0;
            int filled = (int) Math.round(f * width);
            String eta = expected > 0 && bytesPerSecond > 0
                    ? String.format(Locale.ROOT, "ETA %ds", Math.round((expected - bytes) / bytesPerSecond)) : "";
            out.printf(Locale.ROOT, "\r  [%s%s] %3.0f%%  %s of %s  %s/s  %s   ", "#".repeat(filled), ".".repeat(width - filled),
                    100 * f, mb(bytes), expected > 0 ? mb(expected) : "?", mb((long) bytesPerSecond), eta);
            out.flush();
        } else if (expected > 0) {
            int quarter = (int) (4 * bytes / expected);
            if (quarter > lastQuarter && quarter < 4) {
                lastQuarter = quarter;
                out.printf(Locale.ROOT, "  %s: %d%% (%s of %s, %s/s)%n", file, 25 * quarter, mb(bytes), mb(expected),
                        mb((long) bytesPerSecond));
                out.flush();
            }
        }
    }

    @Override
    public void failed(String file, URI from, String reason) {
        out.println((terminal ? "\r" : "") + "  " + file + ": " + from + " failed: " + reason);
        out.flush();
    }

    @Override
    public void done(String file, long bytes, double seconds) {
        out.printf(Locale.ROOT, "%s  %s: %s in %.1f s, checksum verified%n", terminal ? "\r" : "", file, mb(bytes), seconds);
        out.flush();
    }

    private static String mb(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
}
