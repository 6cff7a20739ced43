package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which connections count against the same source address. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConnectionsPerAddressTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void addressesOfOneIpv6SlashSixtyFourCountAsOne() throws Exception {
        assertThat(ConnectionsPerAddress.key(ip("2001:db8:1:2::1")))
                .isEqualTo(ConnectionsPerAddress.key(ip("2001:db8:1:2:ffff:eeee:dddd:cccc")));
        assertThat(ConnectionsPerAddress.key(ip("2001:db8:1:2::1")))
                .isNotEqualTo(ConnectionsPerAddress.key(ip("2001:db8:1:3::1")));
    }

    @Test
    void ipv4AddressesCountOneByOne() throws Exception {
        assertThat(ConnectionsPerAddress.key(ip("192.0.2.7"))).isEqualTo(ip("192.0.2.7"));
        assertThat(ConnectionsPerAddress.key(ip("192.0.2.7"))).isNotEqualTo(ConnectionsPerAddress.key(ip("192.0.2.8")));
    }
}
