package dev.parley.server.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long command: on a terminal, a bar redrawn in place with rate and ETA, at most ten times a
 * second; otherwise (a pipe, a log, CI) a plain line at every tenth of the work. Not thread-safe.
 */
public final class Progress {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastTenth = -1;

    /**
     * @param total the size of the work, in the unit of {@link #update}'s {@code done} (bytes of the input)
     */
    public Progress(PrintStream out, boolean terminal, long total) {
        this.out = out;
        this.terminal = terminal;
        this.total = Math.max(1, total);
    }

    /** Whether the standard output is an interactive terminal. */
    public static boolean stdoutIsTerminal() {
        var console = System.console();
        if (console == null) {
            return false;
        }
        try { // Console.isTerminal() exists from Java 22; before it, a console means a terminal
            return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Reports that {@code done} of the total is done and {@code rows} rows have been handled. */
    public void update(long done, long rows) {
        double fraction = Math.min(1.0, (double) done / total);
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw < 100_000_000L && fraction < 1.0) {
                return;
            }
            lastDraw = now;
            int filled = (int) Math.round(fraction * WIDTH);
            out.print(
                    "\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + line(fraction, rows, now) + "   ");
            out.flush();
            return;
        }
        int tenth = (int) Math.floor(fraction * 10);
        if (tenth > lastTenth && tenth < 10) { // 100 % is printed by finish, with the final count
            lastTenth = tenth;
            out.println("import: " + line(fraction, rows, now));
        }
    }

    /** Prints the final state with {@code rows} handled; on a terminal, also ends the bar's line. */
    public void finish(long rows) {
        long now = System.nanoTime();
        if (terminal) {
            out.println("\r[" + "#".repeat(WIDTH) + "] " + line(1.0, rows, now) + "   ");
        } else {
            out.println("import: " + line(1.0, rows, now));
        }
    }

    /** Ends an interrupted run: the state so far, on its own line. */
    public void stop(long done, long rows) {
        long now = System.nanoTime();
        double fraction = Math.min(1.0, (double) done / total);
        out.println((terminal ? "\r" : "import: ") + line(fraction, rows, now) + " (stopped)");
    }

    private String line(double fraction, long rows, long now) {
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = rows / seconds;
        String eta = fraction <= 0 ? "?" : fraction >= 1 ? "0s" : Math.round(seconds * (1 - fraction) / fraction) + "s";
        return String.format(
                Locale.ROOT, "%3d%%  %,d rows  %,.0f rows/s  ETA %s", Math.round(fraction * 100), rows, rate, eta);
    }
}
