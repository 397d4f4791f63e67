package dev.pgfly.backup;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Sizes and throughput of long work (snapshot, upload, restore, verify). On a terminal it rewrites one
 * status line about twice a second; otherwise it writes a plain line every few seconds, so that logs
 * stay readable. {@link #silent()} shows nothing.
 */
public final class Progress {
    private final String what;
    private final Consumer<String> out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastShown;
    private boolean shownOnTerminal;

    private Progress(String what, Consumer<String> out, boolean terminal) {
        this.what = what;
        this.out = out;
        this.terminal = terminal;
    }

    /** Standard error: rewritten in place on a terminal, a line every 5 s otherwise. */
    public static Progress onStderr(String what) {
        boolean terminal = System.console() != null;
        return new Progress(what, terminal ? s -> System.err.print("\r\033[K" + s) : System.err::println, terminal);
    }

    public static Progress to(String what, Consumer<String> lines) {
        return new Progress(what, lines, false);
    }

    public static Progress silent() {
        return new Progress("", s -> { }, false);
    }

    public Progress next(String nextWhat) {
        finishLine();
        return new Progress(nextWhat, out, terminal);
    }

    public synchronized void update(long bytes) {
        long now = System.nanoTime();
        long every = terminal ? 500_000_000L : 5_000_000_000L;
        if (now - lastShown < every) {
            return;
        }
        lastShown = now;
        out.accept(what + ": " + summary(bytes));
        shownOnTerminal |= terminal;
    }

    /** The final line; returns the throughput in MB/s. */
    public synchronized double done(long bytes) {
        double mbps = rate(bytes);
        out.accept(what + ": " + summary(bytes) + " done");
        finishLine();
        return mbps;
    }

    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    public double rate(long bytes) {
        return bytes / 1e6 / Math.max(seconds(), 1e-3);
    }

    private String summary(long bytes) {
        return String.format(Locale.ROOT, "%s in %.1f s (%.1f MB/s)", size(bytes), seconds(), rate(bytes));
    }

    private void finishLine() {
        if (terminal && shownOnTerminal) {
            System.err.println();
            shownOnTerminal = false;
        }
    }

    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
