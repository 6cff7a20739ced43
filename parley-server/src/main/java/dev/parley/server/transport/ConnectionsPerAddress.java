package dev.parley.server.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ipfilter.AbstractRemoteAddressFilter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Bounds the open connections (HTTP and WebSocket alike) from one source address (an IPv6 /64, see
 * {@link #key}), so that one host cannot
 * take the process's whole open-files budget. A connection past the bound is closed as soon as it is
 * accepted, before any byte is read; it holds nothing. The count of an address drops when one of its
 * connections closes, and an address with no open connection leaves the map, so the map holds at most one
 * entry per open connection. Shared by every connection; thread-safe.
 */
@ChannelHandler.Sharable
final class ConnectionsPerAddress extends AbstractRemoteAddressFilter<InetSocketAddress> {
    private final int max;
    private final ConcurrentMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** @param max most open connections per address (expected: > 0) */
    ConnectionsPerAddress(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
        }
        this.max = max;
    }

    @Override
    protected boolean accept(ChannelHandlerContext ctx, InetSocketAddress remote) {
        InetAddress address = key(remote.getAddress());
        boolean[] admitted = new boolean[1];
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            admitted[0] = count < max;
            return admitted[0] ? count + 1 : n;
        });
        if (admitted[0]) {
            ctx.channel()
                    .closeFuture()
                    .addListener(f -> open.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null));
        }
        return admitted[0];
    }

    /**
     * The address a connection counts against: an IPv4 address as it is, an IPv6 address by its /64, since
     * one subscriber is normally given a whole /64 and could otherwise pick a new address per connection.
     */
    static InetAddress key(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(prefix, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    /** Open connections counted against {@code address}, for tests. */
    int openFrom(InetAddress address) {
        return open.getOrDefault(key(address), 0);
    }
}
