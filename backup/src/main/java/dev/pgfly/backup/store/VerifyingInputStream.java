package dev.pgfly.backup.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Reads an object and checks its SHA-256 when the end is reached: the read that hits the end throws
 * {@link ChecksumMismatchException} instead of returning -1 when the bytes are not the ones stored.
 * A reader that stops early (a tar reader at its end-of-archive marker) calls {@link #drainAndVerify()}.
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final String key;
    private final String expected;
    private final MessageDigest digest = Sha256.newDigest();
    private boolean verified;

    public VerifyingInputStream(InputStream in, String key, String expectedSha256) {
        super(in);
        this.key = key;
        this.expected = expectedSha256;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            verify();
        } else {
            digest.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n < 0) {
            verify();
        } else {
            digest.update(buf, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed.
        byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads whatever is left and verifies the whole object. */
    public void drainAndVerify() throws IOException {
        byte[] buf = new byte[1 << 16];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
    }

    private void verify() throws ChecksumMismatchException {
        if (verified) {
            return;
        }
        verified = true;
        String actual = Sha256.hex(digest);
        if (!actual.equalsIgnoreCase(expected == null ? "" : expected)) {
            throw new ChecksumMismatchException(key, expected, actual);
        }
    }
}
