package dev.parley.server.links;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * Which addresses a link preview may connect to (PROTOCOL.md §7.25): public unicast only. Refused are the
 * unspecified ("any") address, loopback, private and shared ranges (10/8, 172.16/12, 192.168/16, 100.64/10,
 * fc00::/7), link-local (169.254/16, fe80::/10), multicast, broadcast and the other special IPv4 blocks, and
 * every IPv6 form that carries an IPv4 address (mapped, compatible, NAT64, 6to4) is judged by that address.
 * With {@code privateHosts} (a test server's flag) loopback, private and link-local addresses are allowed;
 * "any", multicast and broadcast never are. Stateless; thread-safe.
 */
public final class AddressGuard {
    private final boolean privateHosts;
    /** Addresses allowed whatever they are: a test's page server on one loopback address, and no other. */
    private final java.util.Set<InetAddress> exceptions;

    public AddressGuard(boolean privateHosts) {
        this(privateHosts, java.util.Set.of());
    }

    AddressGuard(boolean privateHosts, java.util.Set<InetAddress> exceptions) {
        this.privateHosts = privateHosts;
        this.exceptions = java.util.Set.copyOf(exceptions);
    }

    /** Whether a preview may connect to {@code address}. */
    public boolean allowed(InetAddress address) {
        return refusal(address) == null;
    }

    /** Why {@code address} is refused, or null when it is allowed. */
    public @Nullable String refusal(InetAddress address) {
        if (exceptions.contains(address)) {
            return null;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            byte[] v4 = embeddedV4(b);
            if (v4 != null) {
                return refusalV4(v4);
            }
            return refusalV6(b);
        }
        if (address instanceof Inet4Address) {
            return refusalV4(b);
        }
        return "not an IP address";
    }

    private @Nullable String refusalV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 0) {
            return "an unspecified address (0.0.0.0/8)";
        }
        if (a0 >= 224) {
            return a0 < 240 ? "a multicast address" : "a reserved or broadcast address";
        }
        String local = null;
        if (a0 == 127) {
            local = "a loopback address";
        } else if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            local = "a private address";
        } else if (a0 == 100 && (a1 & 0xc0) == 64) {
            local = "a shared (carrier-grade NAT) address";
        } else if (a0 == 169 && a1 == 254) {
            local = "a link-local address";
        } else if ((a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) || (a0 == 198 && (a1 & 0xfe) == 18)) {
            local = "a reserved address";
        }
        return local == null || privateHosts ? null : local;
    }

    private @Nullable String refusalV6(byte[] b) {
        boolean zeroUpTo15 = true;
        for (int i = 0; i < 15; i++) {
            zeroUpTo15 &= b[i] == 0;
        }
        if (zeroUpTo15 && b[15] == 0) {
            return "an unspecified address (::)";
        }
        if ((b[0] & 0xff) == 0xff) {
            return "a multicast address";
        }
        String local = null;
        if (zeroUpTo15 && b[15] == 1) {
            local = "a loopback address";
        } else if ((b[0] & 0xfe) == 0xfc) {
            local = "a unique local address (fc00::/7)";
        } else if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            local = "a link-local address";
        } else if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            local = "a site-local address";
        }
        return local == null || privateHosts ? null : local;
    }

    /**
     * The IPv4 address an IPv6 address carries: IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
     * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d} and 6to4 {@code 2002:aabb:ccdd::}; null for others.
     */
    static byte @Nullable [] embeddedV4(byte[] b) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            first10Zero &= b[i] == 0;
        }
        boolean mapped = first10Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        // ::/96 but :: and ::1, which are judged as IPv6.
        boolean compatible = first10Zero
                && b[10] == 0
                && b[11] == 0
                && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0);
        boolean nat64 = (b[0] & 0xff) == 0x00
                && (b[1] & 0xff) == 0x64
                && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b
                && allZero(b, 4, 12);
        if (mapped || compatible || nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        return null;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
