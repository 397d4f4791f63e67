package dev.pgfly.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

/**
 * The one field pgfly reads from a WAL segment: the database system identifier in the long page header
 * that opens every segment (XLogLongPageHeaderData in PostgreSQL's xlog_internal.h: the 24-byte
 * standard header, then xlp_sysid). It tells a copy of the same cluster's history from another
 * cluster's WAL. Read by hand because no Java library parses WAL; the layout has been stable since 9.x.
 */
final class WalPageHeader {
    /** xlp_info bit saying the page carries the long header. */
    private static final int XLP_LONG_HEADER = 0x0002;
    private static final int INFO_OFFSET = 2;
    private static final int SYSID_OFFSET = 24;
    static final int LONG_HEADER_SIZE = 40;

    private WalPageHeader() {
    }

    /** The system identifier of the segment starting with {@code head}, or empty if it does not start with a long header. */
    static OptionalLong systemIdentifier(byte[] head) {
        if (head.length < LONG_HEADER_SIZE) {
            return OptionalLong.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder());
        if ((b.getShort(INFO_OFFSET) & XLP_LONG_HEADER) == 0) {
            return OptionalLong.empty();
        }
        long sysid = b.getLong(SYSID_OFFSET);
        return sysid == 0 ? OptionalLong.empty() : OptionalLong.of(sysid);
    }
}
