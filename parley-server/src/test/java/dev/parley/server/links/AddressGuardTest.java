package dev.parley.server.links;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a link preview may connect to (PROTOCOL.md §7.25). Literals only: no DNS lookup. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AddressGuardTest {
    private static final AddressGuard STRICT = new AddressGuard(false);
    private static final AddressGuard FOR_TESTS = new AddressGuard(true);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal is parsed, never looked up
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.255.0.9",
                "10.1.2.3",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "100.64.0.1",
                "100.127.255.255",
                "169.254.169.254",
                "0.0.0.0",
                "0.1.2.3",
                "224.0.0.1",
                "239.255.255.250",
                "255.255.255.255",
                "240.0.0.1",
                "198.18.0.1",
                "::",
                "::1",
                "fc00::1",
                "fd12:3456::1",
                "fe80::1",
                "fec0::1",
                "ff02::1",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:169.254.169.254",
                "::127.0.0.1",
                "64:ff9b::a9fe:a9fe",
                "2002:c0a8:0101::1"
            })
    void privateLoopbackLinkLocalMulticastAndAnyAddressesAreRefused(String literal) {
        assertThat(STRICT.refusal(ip(literal))).as(literal).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:8.8.8.8"})
    void publicUnicastAddressesAreAllowed(String literal) {
        assertThat(STRICT.refusal(ip(literal))).as(literal).isNull();
    }

    @Test
    void theTestFlagAllowsLoopbackPrivateAndLinkLocalButNeverAnyMulticastOrBroadcast() {
        assertThat(FOR_TESTS.allowed(ip("127.0.0.1"))).isTrue();
        assertThat(FOR_TESTS.allowed(ip("::1"))).isTrue();
        assertThat(FOR_TESTS.allowed(ip("10.0.0.1"))).isTrue();
        assertThat(FOR_TESTS.allowed(ip("fe80::1"))).isTrue();
        assertThat(FOR_TESTS.allowed(ip("0.0.0.0"))).isFalse();
        assertThat(FOR_TESTS.allowed(ip("::"))).isFalse();
        assertThat(FOR_TESTS.allowed(ip("224.0.0.1"))).isFalse();
        assertThat(FOR_TESTS.allowed(ip("255.255.255.255"))).isFalse();
    }

    @Test
    void refusalsNameWhatKindOfAddressItIs() {
        assertThat(STRICT.refusal(ip("127.0.0.1"))).contains("loopback");
        assertThat(STRICT.refusal(ip("100.64.0.1"))).contains("carrier-grade");
        assertThat(STRICT.refusal(ip("fd00::1"))).contains("fc00::/7");
        assertThat(STRICT.refusal(ip("::ffff:169.254.169.254"))).contains("link-local");
    }
}
