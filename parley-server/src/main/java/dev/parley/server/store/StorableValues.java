package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.User;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What both stores can keep, checked before a write is queued, so that a value the database would refuse
 * fails its own write with code 4 instead of the transaction it shares with others.
 *
 * <p>PostgreSQL refuses a NUL character (U+0000) in any text and in any JSON document; a string with a
 * lone surrogate cannot be encoded as UTF-8 (the driver would store {@code ?}); a JSON number must be
 * finite and within the range of {@code numeric}; a text that is indexed must fit in an index entry
 * (2,704 bytes). SQLite keeps all of them, but both stores accept the same users, so the rules are the
 * same for both. Stateless and thread-safe.
 */
public final class StorableValues {
    /** Longest user id and role, in characters: both are indexed. */
    public static final int MAX_KEY_CHARS = 255;

    /**
     * Longest user name, in bytes of UTF-8 once lower-cased: the lower-cased name is indexed with the id,
     * and an index entry holds at most 2,704 bytes in PostgreSQL.
     */
    public static final int MAX_NAME_BYTES = 2_048;

    /** Digits of a JSON number before and after the decimal point that {@code numeric} holds. */
    private static final int MAX_INTEGER_DIGITS = 131_072;

    private static final int MAX_FRACTION_DIGITS = 16_383;

    private StorableValues() {}

    /**
     * @throws ChatException code 4 naming the field when a value of {@code user} cannot be stored
     */
    public static void checkUser(User user) {
        String who = "user '" + printable(user.id()) + "'";
        checkKey(user.id(), who + ": id");
        checkKey(user.role(), who + ": role");
        for (String team : user.teams()) {
            checkText(team, who + ": teams");
        }
        for (Map.Entry<String, JsonNode> e : user.custom().entrySet()) {
            String field = who + ": " + printable(e.getKey());
            checkText(e.getKey(), field);
            checkJson(e.getValue(), field);
        }
        String nameLower = UserRows.nameLower(user);
        if (nameLower != null) {
            int bytes = nameLower.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) {
                throw ChatException.input(
                        who + ": name is " + bytes + " bytes long in UTF-8 (expected: at most " + MAX_NAME_BYTES + ")");
            }
        }
    }

    /** @throws ChatException code 4 when {@code s} holds a NUL character or a lone surrogate */
    public static void checkText(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000') {
                throw ChatException.input(what + " contains a NUL character (U+0000)");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw ChatException.input(what + " contains a lone surrogate (U+"
                            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                            + "), which is not Unicode text");
                }
            }
        }
    }

    /**
     * Checks every string (keys too) and every number of a JSON value, at any depth; {@code what} names
     * it, and the path inside it is appended.
     *
     * @throws ChatException code 4 naming the path of the first value that cannot be stored
     */
    public static void checkJson(JsonNode n, String what) {
        if (n == null) {
            return;
        }
        if (n.isTextual()) {
            checkText(n.textValue(), what);
        } else if (n.isNumber()) {
            checkNumber(n, what);
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                checkJson(n.get(i), what + "[" + i + "]");
            }
        } else if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String field = what + "." + printable(e.getKey());
                checkText(e.getKey(), field);
                checkJson(e.getValue(), field);
            }
        }
    }

    private static void checkNumber(JsonNode n, String what) {
        boolean ok;
        if (n.isDouble() || n.isFloat()) {
            ok = Double.isFinite(n.doubleValue());
        } else if (n.isBigDecimal()) {
            BigDecimal d = n.decimalValue();
            ok = d.precision() - d.scale() <= MAX_INTEGER_DIGITS && d.scale() <= MAX_FRACTION_DIGITS;
        } else if (n.isBigInteger()) {
            ok = n.bigIntegerValue().abs().toString().length() <= MAX_INTEGER_DIGITS;
        } else {
            ok = true;
        }
        if (!ok) {
            throw ChatException.input(what + " is a number out of range (expected: a finite number)");
        }
    }

    private static void checkKey(String s, String what) {
        checkText(s, what);
        if (s.length() > MAX_KEY_CHARS) {
            throw ChatException.input(
                    what + " is " + s.length() + " characters long (expected: at most " + MAX_KEY_CHARS + ")");
        }
    }

    /**
     * {@code s} fit for an error message: NUL, other control characters and lone surrogates become
     * {@code ?}, and past 64 characters it is cut, so that the message can name a bad key without
     * carrying it.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 65));
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            boolean pair =
                    Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                b.append('?');
            } else {
                b.append(c);
            }
        }
        return b.length() < s.length() ? b.append('…').toString() : b.toString();
    }
}
