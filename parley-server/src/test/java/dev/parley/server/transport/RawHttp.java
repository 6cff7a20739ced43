package dev.parley.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw TCP connection for tests that need bytes HTTP clients do not send: partial heads, pipelining, bad escapes. */
final class RawHttp implements AutoCloseable {
    private static final int WAIT_MILLIS = 10_000;

    /** One response as read off the wire. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        ObjectNode json() {
            return Json.parseObject(new String(body, StandardCharsets.UTF_8), "body");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(WAIT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port} from {@code local} (any port), or from the default address when null. */
    static RawHttp open(int port, InetAddress local) {
        return open(port, local, 0);
    }

    /** As {@link #open(int, InetAddress)}, with a receive buffer of {@code receiveBuffer} bytes (0: the default). */
    static RawHttp open(int port, InetAddress local, int receiveBuffer) {
        try {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer); // before connecting, so that the window is small from the start
            }
            if (local != null) {
                s.bind(new InetSocketAddress(local, 0));
            }
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), WAIT_MILLIS);
            return new RawHttp(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RawHttp open(int port) {
        return open(port, null);
    }

    Socket socket() {
        return socket;
    }

    RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response with a Content-Length body, waiting up to 10 s. */
    Response read() {
        try {
            String status = line();
            if (status == null) {
                throw new AssertionError("connection closed before a response");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closed the connection: true at end of stream or reset, false when nothing came within
     * {@code waitMillis}. Bytes that do come are read and dropped.
     */
    boolean closedByServer(int waitMillis) {
        try {
            socket.setSoTimeout(waitMillis);
            byte[] buf = new byte[8192];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            try {
                socket.setSoTimeout(WAIT_MILLIS);
            } catch (IOException ignored) {
                // closed meanwhile
            }
        }
    }

    /** Reads until the server closes, failing when 10 s pass without a byte; what came. */
    byte[] readToEnd() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + WAIT_MILLIS + " ms");
        } catch (IOException e) {
            // a reset ends the stream too
        }
        return all.toByteArray();
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = s.length();
                return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
            }
            s.append((char) c);
        }
        return s.isEmpty() ? null : s.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}
