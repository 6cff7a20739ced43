package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HS256 tokens as Stream's SDKs make them, and the failure codes of PROTOCOL.md §2.7. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JwtTest {
    private static final String SECRET = "jwt-test-secret-0123456789abcdef0123456789";
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @Test
    void userTokenRoundTripsItsClaims() {
        Instant exp = NOW.plusSeconds(3600);
        Instant iat = NOW.minusSeconds(5);
        String token = Jwt.userToken(SECRET, "luke", exp, iat);

        Jwt.Claims c = Jwt.verify(token, SECRET, NOW, false);

        assertThat(c.userId()).isEqualTo("luke");
        assertThat(c.server()).isFalse();
        assertThat(c.expiresAt()).isEqualTo(exp);
        assertThat(c.issuedAt()).isEqualTo(iat);
        assertThat(token.split("\\.")).hasSize(3);
        assertThat(token).doesNotContain("=", "+", "/");
    }

    @Test
    void serverTokenIsAServerClaimWithoutUser() {
        Jwt.Claims c = Jwt.verify(Jwt.serverToken(SECRET), SECRET, NOW, false);

        assertThat(c.server()).isTrue();
        assertThat(c.userId()).isNull();
        assertThat(c.issuedAt()).isNull();
    }

    @Test
    void onlyTheBooleanTrueMakesAServerToken() {
        assertThat(Jwt.verify(Jwt.sign(Map.of("server", "true"), SECRET), SECRET, NOW, false)
                        .server())
                .isFalse();
        assertThat(Jwt.verify(Jwt.sign(Map.of("server", 1), SECRET), SECRET, NOW, false)
                        .server())
                .isFalse();
        assertThat(Jwt.verify(Jwt.sign(Map.of("user_id", 7), SECRET), SECRET, NOW, false)
                        .userId())
                .isNull();
    }

    @Test
    void headerIsTheOneStreamSdksSend() {
        String header = Jwt.userToken(SECRET, "luke", null, null).split("\\.")[0];

        assertThat(new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8))
                .isEqualTo("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    }

    @Test
    void bearerPrefixIsTolerated() {
        assertThat(Jwt.verify("Bearer " + Jwt.userToken(SECRET, "luke", null, null), SECRET, NOW, false)
                        .userId())
                .isEqualTo("luke");
    }

    @Test
    void missingOrMalformedTokenIsCode5() {
        assertCode(() -> Jwt.verify(null, SECRET, NOW, false), 5);
        assertCode(() -> Jwt.verify("", SECRET, NOW, false), 5);
        assertCode(() -> Jwt.verify("a.b", SECRET, NOW, false), 5);
        assertCode(() -> Jwt.verify("a.b.c.d", SECRET, NOW, false), 5);
        assertCode(() -> Jwt.verify("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig", SECRET, NOW, false), 5);
        assertCode(() -> Jwt.verify("eyJhbGciOiJIUzI1NiJ9.!!!.sig", SECRET, NOW, false), 5);
    }

    @Test
    void claimThatIsNotANumberIsCode5() {
        String token = Jwt.sign(Map.of("user_id", "luke", "exp", "tomorrow"), SECRET);

        assertCode(() -> Jwt.verify(token, SECRET, NOW, false), 5);
    }

    @Test
    void timeClaimsOutOfRangeOrOfTheWrongTypeAreCode5() {
        String[] values = {
            "1e30",
            "-1e30",
            "1e400",
            "99999999999999999999999",
            "9223372036854775807",
            "-9223372036854775808",
            "31556889864403200",
            "\"tomorrow\"",
            "true",
            "[]",
            "{}",
            "1.5e300"
        };
        for (String claim : new String[] {"exp", "nbf", "iat"}) {
            for (String value : values) {
                String token = signRaw("{\"user_id\":\"luke\",\"" + claim + "\":" + value + "}");

                assertThatThrownBy(() -> Jwt.verify(token, SECRET, NOW, false))
                        .as("%s: %s", claim, value)
                        .isInstanceOfSatisfying(
                                ChatException.class, e -> assertThat(e.code()).isEqualTo(5));
                assertThatThrownBy(() -> Jwt.verify(token, SECRET, NOW, true))
                        .as("%s: %s with signatures skipped", claim, value)
                        .isInstanceOfSatisfying(
                                ChatException.class, e -> assertThat(e.code()).isEqualTo(5));
            }
        }
    }

    @Test
    void farButRepresentableTimesAreOrdinaryTimes() {
        String farExp = signRaw("{\"user_id\":\"luke\",\"exp\":31556889864403199}");
        String farIat = signRaw("{\"user_id\":\"luke\",\"iat\":31556889864403199}");
        String ancientExp = signRaw("{\"user_id\":\"luke\",\"exp\":-31557014167219200}");

        assertThat(Jwt.verify(farExp, SECRET, NOW, false).expiresAt())
                .isEqualTo(Instant.ofEpochSecond(31556889864403199L));
        assertCode(() -> Jwt.verify(farIat, SECRET, NOW, false), 42);
        assertCode(() -> Jwt.verify(ancientExp, SECRET, NOW, false), 40);
    }

    @Test
    void malformedPayloadIsNotEchoedInTheError() {
        String token = signRaw("{\"user_id\":\"\u0000evil\nline\"");

        assertThatThrownBy(() -> Jwt.verify(token, SECRET, NOW, false))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(5);
                    assertThat(e.getMessage()).doesNotContain("evil", "\n");
                });
    }

    @Test
    void generatedHostileTokensAreRefusedWithAnAuthCodeAndNothingElse() {
        String[] headers = {
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
            "{\"alg\":\"none\"}",
            "{}",
            "{\"alg\":5}",
            "{\"alg\":null}",
            "[]",
            "null",
            "{\"alg\":\"HS256\",\"crit\":[\"x\"]}",
            "not json",
            ""
        };
        String[] values = {
            "1",
            "-1",
            "1e30",
            "-1e30",
            "1e400",
            "0.5",
            "\"x\"",
            "true",
            "null",
            "[]",
            "{}",
            "9223372036854775807",
            "99999999999999999999999999",
            "[1,\"a\"]",
            "{\"a\":{\"b\":[]}}"
        };
        String[] names = {"user_id", "server", "exp", "nbf", "iat", "aud", "iss", "sub", "jti"};
        java.util.Random random = new java.util.Random(42);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        for (int i = 0; i < 3000; i++) {
            StringBuilder payload = new StringBuilder("{");
            int n = random.nextInt(4);
            for (int k = 0; k < n; k++) {
                payload.append(k == 0 ? "" : ",")
                        .append('"')
                        .append(names[random.nextInt(names.length)])
                        .append("\":")
                        .append(values[random.nextInt(values.length)]);
            }
            payload.append(random.nextInt(10) == 0 ? "" : "}");
            String token = switch (random.nextInt(4)) {
                case 0 -> signRaw(payload.toString());
                case 1 ->
                    b64.encodeToString(headers[random.nextInt(headers.length)].getBytes(StandardCharsets.UTF_8)) + "."
                            + b64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8)) + "."
                            + (random.nextBoolean() ? "devtoken" : b64.encodeToString(new byte[random.nextInt(40)]));
                case 2 -> {
                    byte[] junk = new byte[random.nextInt(60)];
                    random.nextBytes(junk);
                    yield new String(junk, StandardCharsets.ISO_8859_1).replace('\0', '.');
                }
                default -> signRaw(payload.toString()).replace('-', '+') + (random.nextBoolean() ? "=" : ".x");
            };
            boolean skip = random.nextBoolean();
            try {
                Jwt.verify(token, SECRET, NOW, skip);
            } catch (ChatException e) {
                assertThat(e.code()).as("%s (skip %s)", token, skip).isIn(5, 40, 41, 42, 43);
                assertThat(e.statusCode()).isEqualTo(401);
            }
        }
    }

    @Test
    void headerOrPayloadOfJsonNullIsCode5() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String nul = b64.encodeToString("null".getBytes(StandardCharsets.UTF_8));
        String[] signed = signRaw("{}").split("\\.");

        for (boolean skip : new boolean[] {false, true}) {
            assertCode(() -> Jwt.verify(nul + "." + signed[1] + "." + signed[2], SECRET, NOW, skip), 5);
            assertCode(() -> Jwt.verify(signRaw("null"), SECRET, NOW, skip), 5);
        }
    }

    @Test
    void payloadThatIsNotAnObjectIsCode5() {
        assertCode(() -> Jwt.verify(signRaw("[1,2]"), SECRET, NOW, false), 5);
        assertCode(() -> Jwt.verify(signRaw("\"luke\""), SECRET, NOW, false), 5);
    }

    @Test
    void skippingSignaturesStillNeedsAHeaderWithAnAlgorithm() {
        String payload = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"user_id\":\"luke\"}".getBytes(StandardCharsets.UTF_8));
        String noAlg = Base64.getUrlEncoder().withoutPadding().encodeToString("{}".getBytes(StandardCharsets.UTF_8));

        assertCode(() -> Jwt.verify(noAlg + "." + payload + ".devtoken", SECRET, NOW, true), 5);
        assertCode(() -> Jwt.verify("bm90IGpzb24." + payload + ".devtoken", SECRET, NOW, true), 5);
    }

    @Test
    void signatureUnderAnotherSecretIsCode43() {
        String token = Jwt.userToken("another-secret-0123456789abcdef0123456789", "luke", null, null);

        assertCode(() -> Jwt.verify(token, SECRET, NOW, false), 43);
    }

    @Test
    void tamperedPayloadIsCode43() {
        String[] parts = Jwt.userToken(SECRET, "luke", null, null).split("\\.");
        String vader = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"user_id\":\"vader\"}".getBytes(StandardCharsets.UTF_8));

        assertCode(() -> Jwt.verify(parts[0] + "." + vader + "." + parts[2], SECRET, NOW, false), 43);
    }

    @Test
    void algorithmOtherThanHs256IsCode43() {
        String[] parts = Jwt.userToken(SECRET, "luke", null, null).split("\\.");
        String none = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

        assertCode(() -> Jwt.verify(none + "." + parts[1] + "." + parts[2], SECRET, NOW, false), 43);
    }

    @Test
    void devTokenIsCode43WhileSignaturesAreChecked() {
        assertCode(() -> Jwt.verify(Jwt.devToken("luke"), SECRET, NOW, false), 43);
    }

    @Test
    void expiredTokenIsCode40() {
        String token = Jwt.userToken(SECRET, "luke", NOW.minusSeconds(60), null);

        assertCode(() -> Jwt.verify(token, SECRET, NOW, false), 40);
    }

    @Test
    void notYetValidTokenIsCode41() {
        String token =
                Jwt.sign(Map.of("user_id", "luke", "nbf", NOW.plusSeconds(60).getEpochSecond()), SECRET);

        assertCode(() -> Jwt.verify(token, SECRET, NOW, false), 41);
    }

    @Test
    void tokenIssuedInTheFutureIsCode42() {
        String token = Jwt.userToken(SECRET, "luke", null, NOW.plusSeconds(60));

        assertCode(() -> Jwt.verify(token, SECRET, NOW, false), 42);
    }

    @Test
    void fewSecondsOfClockSkewAreTolerated() {
        String justExpired = Jwt.userToken(SECRET, "luke", NOW.minusSeconds(3), NOW.plusSeconds(3));
        String nbfSoon =
                Jwt.sign(Map.of("user_id", "luke", "nbf", NOW.plusSeconds(3).getEpochSecond()), SECRET);

        assertThat(Jwt.verify(justExpired, SECRET, NOW, false).userId()).isEqualTo("luke");
        assertThat(Jwt.verify(nbfSoon, SECRET, NOW, false).userId()).isEqualTo("luke");
        assertCode(
                () -> Jwt.verify(
                        Jwt.userToken(
                                SECRET, "luke", NOW.minus(Jwt.DEFAULT_SKEW).minusSeconds(1), null),
                        SECRET,
                        NOW,
                        false),
                40);
    }

    @Test
    void devTokenMatchesTheJsSdkByteForByte() {
        assertThat(Jwt.devToken("ab"))
                .isEqualTo("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiYWIifQ==.devtoken");
    }

    @Test
    void devTokenWithStandardBase64AndPaddingDecodesWhenSignaturesAreSkipped() {
        String token = Jwt.devToken("aa?");
        assertThat(token)
                .as("the payload uses the standard alphabet's '/' and '=' padding")
                .contains("eyJ1c2VyX2lkIjoiYWE/In0=");

        assertThat(Jwt.verify(token, SECRET, NOW, true).userId()).isEqualTo("aa?");
        assertThat(Jwt.decodeUnverified(token).path("user_id").asText()).isEqualTo("aa?");
    }

    @Test
    void skippingSignaturesStillChecksTimes() {
        String[] parts =
                Jwt.userToken(SECRET, "luke", NOW.minusSeconds(60), null).split("\\.");

        assertCode(() -> Jwt.verify(parts[0] + "." + parts[1] + ".devtoken", SECRET, NOW, true), 40);
    }

    /** A token over a payload given as raw JSON, signed under {@link #SECRET}. */
    private static String signRaw(String payloadJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(sig);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertCode(Runnable call, int code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ChatException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.getMessage()).isNotBlank();
        });
    }
}
