package dev.parley.server.logging;

import org.jspecify.annotations.Nullable;

/**
 * Request data as it may appear in a log line: control characters (NUL, CR, LF and the rest) escaped as
 * {@code \n} or {@code \u0000}, so that no client can forge or split lines, and at most {@link #MAX_CHARS}
 * characters, so that no client can fill the log. Stateless.
 */
public final class LogText {
    /** Longest text kept; the rest is replaced by a count. */
    public static final int MAX_CHARS = 256;

    private LogText() {}

    public static String escape(@Nullable String s) {
        if (s == null) {
            return "null";
        }
        int end = Math.min(s.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (s.length() > end) {
            out.append("...(").append(s.length() - end).append(" more)");
        }
        return out.toString();
    }
}
