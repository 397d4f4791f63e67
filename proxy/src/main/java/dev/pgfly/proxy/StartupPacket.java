package dev.pgfly.proxy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The first message of a PostgreSQL connection, read before a backend is chosen. Reading it first
 * lets the proxy hold an idle client without a backend connection (a client that connects and waits
 * costs a socket, not a PostgreSQL process) and answer a client it cannot serve with a proper
 * ErrorResponse instead of a bare close. The bytes are forwarded unchanged: SSL and GSS negotiation
 * and authentication stay between the client and PostgreSQL.
 */
record StartupPacket(byte[] bytes) {
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;
    /** PostgreSQL's own limit for a startup packet (MAX_STARTUP_PACKET_LENGTH). */
    private static final int MAX_LENGTH = 10_000;

    static StartupPacket read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        if (length < 8 || length > MAX_LENGTH) {
            throw new IOException("invalid startup packet length " + length);
        }
        byte[] bytes = new byte[length];
        ByteBuffer.wrap(bytes).putInt(length);
        data.readFully(bytes, 4, length - 4);
        return new StartupPacket(bytes);
    }

    int code() {
        return ByteBuffer.wrap(bytes, 4, 4).getInt();
    }

    /** An SSL or GSS encryption request, which the server answers with one byte before the real startup. */
    boolean isEncryptionRequest() {
        return code() == SSL_REQUEST || code() == GSSENC_REQUEST;
    }

    /**
     * Refuses the client the way PostgreSQL would: declines encryption if asked (so the error can be
     * read), then sends a FATAL ErrorResponse with the given SQLSTATE.
     */
    static void refuse(StartupPacket first, InputStream in, OutputStream out, String sqlState, String message)
            throws IOException {
        StartupPacket packet = first;
        // A client may ask for SSL, then for GSS encryption, before its startup message.
        for (int i = 0; i < 2 && packet.isEncryptionRequest(); i++) {
            out.write('N');
            out.flush();
            try {
                packet = read(in);
            } catch (EOFException e) {
                return;
            }
        }
        if (packet.code() == CANCEL_REQUEST) {
            return;
        }
        out.write(errorResponse(sqlState, message));
        out.flush();
    }

    static byte[] errorResponse(String sqlState, String message) {
        byte[][] fields = {field('S', "FATAL"), field('V', "FATAL"), field('C', sqlState), field('M', message)};
        int length = 4 + 1;
        for (byte[] f : fields) {
            length += f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(1 + length);
        b.put((byte) 'E').putInt(length);
        for (byte[] f : fields) {
            b.put(f);
        }
        b.put((byte) 0);
        return b.array();
    }

    private static byte[] field(char type, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[v.length + 2];
        f[0] = (byte) type;
        System.arraycopy(v, 0, f, 1, v.length);
        return f;
    }
}
