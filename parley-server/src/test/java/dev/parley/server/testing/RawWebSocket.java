package dev.parley.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for tests that must send what no well-behaved client sends:
 * frames with invalid UTF-8, unknown opcodes, fragments past the size limit, handshakes with odd
 * headers. It reads the server's answer as it arrives: the HTTP status of the handshake and then
 * frames, each read with a deadline, so that silence is an observable outcome ({@link Frame#SILENCE})
 * rather than a hung test.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    /** One frame from the server, or one of the outcomes that are not frames. */
    public record Frame(int opcode, byte[] payload) {
        /** Nothing arrived within the deadline. */
        public static final Frame SILENCE = new Frame(-1, new byte[0]);
        /** The server closed the TCP connection (orderly or by reset) without a further frame. */
        public static final Frame EOF = new Frame(-2, new byte[0]);

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, 1005 when it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        @Override
        public String toString() {
            return switch (opcode) {
                case -1 -> "silence";
                case -2 -> "connection closed without a frame";
                case CLOSE -> "close " + closeCode();
                default ->
                    "frame op=" + opcode + " " + (payload.length > 200 ? text().substring(0, 200) + "…" : text());
            };
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int status;
    private final String head;

    private RawWebSocket(Socket socket, int status, String head) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.status = status;
        this.head = head;
    }

    /**
     * Sends an upgrade request for {@code pathAndQuery} (already encoded) with {@code extraHeaders} (lines
     * without CRLF) and reads the answer's head, waiting up to {@code timeoutMillis}.
     */
    public static RawWebSocket open(int port, String pathAndQuery, int timeoutMillis, String... extraHeaders) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            StringBuilder req = new StringBuilder()
                    .append("GET ")
                    .append(pathAndQuery)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:")
                    .append(port)
                    .append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n")
                    .append("Sec-WebSocket-Key: ")
                    .append(Base64.getEncoder().encodeToString(nonce))
                    .append("\r\n");
            for (String h : extraHeaders) {
                req.append(h).append("\r\n");
            }
            req.append("\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String head = readHead(s.getInputStream());
            int status = head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : -1;
            return new RawWebSocket(s, status, head);
        } catch (SocketTimeoutException e) {
            closeQuietly(s);
            return null;
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : 0;
            if (b.size() > 65536) {
                throw new IOException("answer head over 64 KiB");
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** The handshake's HTTP status (101 when upgraded), -1 when none came. */
    public int status() {
        return status;
    }

    /** The whole answer head of the handshake. */
    public String head() {
        return head;
    }

    /** Reads what the HTTP answer carries after its head (for refusals answered without an upgrade). */
    public String readBody(int max) {
        byte[] buf = new byte[max];
        int n = 0;
        try {
            int r;
            while (n < max && (r = in.read(buf, n, max - n)) > 0) {
                n += r;
                if (buf[n - 1] == '}') {
                    break;
                }
            }
        } catch (IOException e) {
            // what arrived so far is the answer
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** Sends one masked frame, as a client must. */
    public void send(int opcode, boolean fin, byte[] payload) {
        try {
            ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
            f.write((fin ? 0x80 : 0) | (opcode & 0x0f));
            int n = payload.length;
            if (n < 126) {
                f.write(0x80 | n);
            } else if (n < 65536) {
                f.write(0x80 | 126);
                f.write(n >>> 8);
                f.write(n);
            } else {
                f.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    f.write((int) ((long) n >>> (8 * i)));
                }
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask);
            for (int i = 0; i < n; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
            out.write(f.toByteArray());
            out.flush();
        } catch (IOException e) {
            // the server may already have closed; the next read tells
        }
    }

    public void sendText(String text) {
        send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame, {@link Frame#SILENCE} when none came within the socket's timeout, or {@link Frame#EOF}. */
    public Frame next() {
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return Frame.EOF;
            }
            int b1 = readByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = ((long) readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            if (len > 16L * 1024 * 1024) {
                throw new IOException("frame of " + len + " bytes");
            }
            byte[] payload = in.readNBytes((int) len);
            if (payload.length < len) {
                return Frame.EOF;
            }
            return new Frame(b0 & 0x0f, payload);
        } catch (SocketTimeoutException e) {
            return Frame.SILENCE;
        } catch (IOException e) {
            return Frame.EOF;
        }
    }

    /** The next frame that is not a ping or pong. */
    public Frame nextData() {
        while (true) {
            Frame f = next();
            if (f.opcode() != PING && f.opcode() != PONG) {
                return f;
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do: the test is done with it
        }
    }
}
