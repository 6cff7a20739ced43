package dev.parley.protocol;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** RFC 3339 timestamps as the protocol writes them: UTC, {@code Z} suffix, microsecond precision. */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    /** Formats an instant, truncated to microseconds; {@code null} stays {@code null}. */
    public static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }

    /** Truncates to the precision that the protocol and both stores keep. */
    public static Instant truncate(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Parses an RFC 3339 timestamp with any offset and up to nine fractional digits.
     *
     * @throws ChatException code 4 naming {@code field} when the text is not a timestamp
     */
    public static Instant parse(String text, String field) {
        try {
            return truncate(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException | NullPointerException e) {
            throw ChatException.input(field + ": '" + text + "' is not an RFC 3339 timestamp");
        }
    }

    /** Microseconds since the epoch, the form both stores keep. */
    public static long toMicros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    public static Instant fromMicros(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
