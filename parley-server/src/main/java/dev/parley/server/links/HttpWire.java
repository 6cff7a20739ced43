package dev.parley.server.links;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The HTTP/1.1 reading of {@link PageFetcher}: head lines within a byte budget, chunked bodies, reads that wait no
 * longer than the fetch's deadline, and bodies cut at {@link PageFetcher#MAX_BODY_BYTES}. Stateless helpers.
 */
final class HttpWire {
    private HttpWire() {}

    /** Up to {@link PageFetcher#MAX_BODY_BYTES} of {@code in} (and of {@code length}, when known); the rest is never read. */
    static byte[] readAtMost(InputStream in, long length) throws IOException {
        long limit = length >= 0 ? Math.min(length, PageFetcher.MAX_BODY_BYTES) : PageFetcher.MAX_BODY_BYTES;
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, 64 * 1024));
        byte[] buf = new byte[8192];
        while (out.size() < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - out.size()));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
    /** One CRLF- or LF-ended line of a head, in ISO-8859-1; {@code budget} bounds all lines of the head. */
    static String line(InputStream in, int[] budget) throws IOException, PageFetcher.FetchException {
        StringBuilder s = new StringBuilder();
        for (; ; ) {
            int c = in.read();
            if (c < 0) {
                throw new PageFetcher.FetchException(false, "the site closed the connection mid-answer");
            }
            if (--budget[0] < 0) {
                throw new PageFetcher.FetchException(
                        false, "the site's answer head is larger than " + PageFetcher.MAX_HEAD_BYTES + " bytes");
            }
            if (c == '\n') {
                int end = s.length();
                return end > 0 && s.charAt(end - 1) == '\r' ? s.substring(0, end - 1) : s.toString();
            }
            s.append((char) c);
        }
    }

    static long remainingMillis(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return Math.max(1, left / 1_000_000);
    }

    /** A socket's input whose every read waits no longer than the fetch's deadline allows. */
    static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis(deadline)));
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis(deadline)));
            return in.read(b, off, len);
        }
    }

    /** The body of a chunked answer; ends at the last chunk. Chunk-size lines are bounded. */
    static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                left = nextSize();
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                done = true;
                return -1;
            }
            left -= n;
            if (left == 0) {
                sizeLine(); // the CRLF after the chunk's data
            }
            return n;
        }

        private long nextSize() throws IOException {
            String size = sizeLine().split(";", 2)[0].trim();
            try {
                long n = Long.parseLong(size, 16);
                if (n < 0) {
                    throw new IOException("negative chunk size");
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size");
            }
        }

        private String sizeLine() throws IOException {
            try {
                return line(in, new int[] {256});
            } catch (PageFetcher.FetchException e) {
                throw new IOException(e.getMessage());
            }
        }
    }
}
