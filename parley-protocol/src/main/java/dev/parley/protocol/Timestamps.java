package dev.parley.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/** RFC 3339 timestamps as the protocol writes them: UTC, {@code Z} suffix, microsecond precision. */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    /** Formats an instant, truncated to microseconds; {@code null} stays {@code null}. */
    public static @Nullable String format(@Nullable Instant instant) {
        if (instant == null) {
            return null;
        }
        if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
            return FORMAT.format(instant);
        }
        // Every event and message carries several timestamps: written digit by digit, without the formatter's
        // field resolution and its garbage.
        long seconds = instant.getEpochSecond();
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        byte[] b = new byte[27];
        digits(b, 0, day.getYear(), 4);
        b[4] = '-';
        digits(b, 5, day.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, day.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, secondOfDay / 3600, 2);
        b[13] = ':';
        digits(b, 14, secondOfDay / 60 % 60, 2);
        b[16] = ':';
        digits(b, 17, secondOfDay % 60, 2);
        b[19] = '.';
        digits(b, 20, instant.getNano() / 1000, 6);
        b[26] = 'Z';
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Truncates to the precision that the protocol and both stores keep. */
    public static @Nullable Instant truncate(@Nullable Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** The earliest instant {@link #parse} accepts: RFC 3339 years have four digits. */
    public static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");

    /** The latest instant {@link #parse} accepts. */
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    /**
     * Parses an RFC 3339 timestamp with any offset and up to nine fractional digits, in the years 0000 to
     * 9999 (UTC), so that every accepted instant has microseconds that fit a long and a four-digit year.
     *
     * @throws ChatException code 4 naming {@code field} when the text is not such a timestamp
     */
    public static Instant parse(String text, String field) {
        Instant at;
        try {
            at = OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException | NullPointerException e) {
            throw ChatException.input(field + ": '" + shorten(text) + "' is not an RFC 3339 timestamp");
        }
        if (at.isBefore(MIN) || at.isAfter(MAX)) {
            throw ChatException.input(
                    field + ": '" + shorten(text) + "' is out of range (expected: years 0000 to 9999)");
        }
        return at;
    }

    private static String shorten(String s) {
        return s != null && s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /** Microseconds since the epoch, the form both stores keep. */
    public static long toMicros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    public static Instant fromMicros(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
