package dev.parley.server.exports;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The download links of export files (PROTOCOL.md §17.6): {@code /export_files/<task id>/<file>?expires=<unix
 * seconds>&signature=<hex>}, where the signature is the HMAC-SHA256, keyed with the app secret, of the task id, the
 * file name and the expiry. A link is good until its expiry ({@link #LIFETIME} after it was made); it is checked in
 * constant time. Immutable; thread-safe.
 */
public final class ExportLinks {
    /** The path every export file is served under. */
    public static final String PREFIX = "/export_files/";

    /** How long a link is good for. */
    public static final Duration LIFETIME = Duration.ofHours(24);

    /** The names export files are given: no separator, no leading dot. */
    static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,99}");

    private final byte[] secret;

    public ExportLinks(String secret) {
        this.secret = requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
    }

    /** A link good until {@code now} plus {@link #LIFETIME}, on {@code baseUrl} ({@code http(s)://host}). */
    public String url(String baseUrl, String taskId, String file, Instant now) {
        long expires = now.plus(LIFETIME).getEpochSecond();
        return baseUrl + PREFIX + taskId + "/" + file + "?expires=" + expires + "&signature="
                + sign(taskId, file, expires);
    }

    String sign(String taskId, String file, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] sig = mac.doFinal((taskId + "\n" + file + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether {@code signature} is the one of the task's file and expiry, and the expiry is after {@code now}. */
    public boolean valid(
            String taskId, String file, @Nullable String expires, @Nullable String signature, Instant now) {
        if (expires == null || signature == null || !expires.matches("[0-9]{1,12}")) {
            return false;
        }
        long at = Long.parseLong(expires);
        byte[] expected = sign(taskId, file, at).getBytes(StandardCharsets.US_ASCII);
        boolean same = MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
        return same && now.getEpochSecond() < at;
    }
}
