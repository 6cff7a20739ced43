package dev.parley.client.internal;

/** String checks that Android 8 (API 26) offers too. */
public final class Strings {
    private Strings() {}

    /** True when {@code s} is empty or holds only white space, as {@code String.isBlank()} on Java 11. */
    public static boolean blank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
