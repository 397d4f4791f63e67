package dev.pgfly.agent.ha;

import dev.pgfly.agent.disk.DiskGuard;
import dev.pgfly.agent.disk.DiskUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Applies the {@link DiskGuard} once per HA cycle: looks at the data volume (and pg_wal), asks the guard,
 * and on a change tells {@code LocalPostgres}, whose next configuration of a primary makes user sessions
 * read-only (or writable again), and records an event. The cycle that runs it then configures and reloads
 * the primary ({@link Leading} does every cycle). A replica records the state too (its checks say so), but
 * has no writes to refuse.
 */
final class DiskWatch {
    private static final Logger log = LoggerFactory.getLogger(DiskWatch.class);
    /** PostgreSQL's default WAL segment size; pgfly never changes it. */
    private static final long SEGMENT_BYTES = 16L << 20;

    private final HaContext ctx;
    private volatile DiskGuard.Verdict last = new DiskGuard.Verdict(DiskGuard.State.OPEN, false, "not looked at yet");

    DiskWatch(HaContext ctx) {
        this.ctx = ctx;
    }

    DiskGuard.Verdict last() {
        return last;
    }

    void check() {
        DiskGuard.Verdict verdict = DiskGuard.decide(last.state(), look(ctx.pg.dataDir()));
        last = verdict;
        if (!verdict.changed()) {
            return;
        }
        ctx.local.refuseUserWrites(verdict.refusesWrites());
        log.warn("disk guard: {}", verdict.reason());
        ctx.event(verdict.refusesWrites() ? "disk-full" : "disk-ok", verdict.reason());
    }

    /** The volume holding {@code dataDir}, and pg_wal in it; unknown when the volume cannot be read. */
    static DiskUsage look(Path dataDir) {
        try {
            FileStore store = Files.getFileStore(Files.exists(dataDir) ? dataDir : dataDir.getParent());
            long total = store.getTotalSpace();
            long used = total - store.getUsableSpace();
            Path wal = dataDir.resolve("pg_wal");
            return new DiskUsage(total, used, sizeOfFiles(wal), readyForArchive(wal.resolve("archive_status")) * SEGMENT_BYTES);
        } catch (IOException | RuntimeException e) {
            return DiskUsage.UNKNOWN;
        }
    }

    private static long sizeOfFiles(Path dir) {
        long total = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    total += Files.size(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a segment recycled while listed: the next look counts again
        }
        return total;
    }

    /** Segments the archiver has not archived yet: PostgreSQL marks each with a {@code .ready} file. */
    private static long readyForArchive(Path archiveStatus) {
        if (!Files.isDirectory(archiveStatus)) {
            return 0;
        }
        long n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(archiveStatus, "*.ready")) {
            for (Path ignored : files) {
                n++;
            }
        } catch (IOException | RuntimeException e) {
            // as above
        }
        return n;
    }
}
