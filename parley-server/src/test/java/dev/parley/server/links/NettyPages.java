package dev.parley.server.links;

import dev.parley.server.transport.PageClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.TimeUnit;

/**
 * The transport's page client (what a running node fetches with) on an event loop of the test's own. Close it to
 * stop the loop.
 */
final class NettyPages implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /** A client trusting the JDK's certificates. */
    PageHttp client() {
        return new PageClient(group, NioSocketChannel.class);
    }

    /** A client with {@code tls}: a test's, trusting its own certificate. */
    PageHttp client(SslContext tls) {
        return new PageClient(group, NioSocketChannel.class, tls);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
