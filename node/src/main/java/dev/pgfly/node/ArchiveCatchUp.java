package dev.pgfly.node;

import dev.pgfly.backup.WalArchive;
import dev.pgfly.backup.store.BackupStore;
import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import dev.pgfly.node.backup.SourceChoice;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Before a restore from a cluster that runs: its archive is brought up to now. The segment in progress is
 * archived only when it fills (or at {@code archive_timeout}), so a restore to a moment ago found no WAL
 * past its target and PostgreSQL stopped with "recovery ended before configured recovery target was
 * reached". Here the primary switches to a new segment, and the restore waits (bounded, logged)
 * until the archive holds the one it ended.
 */
final class ArchiveCatchUp {
    /** Archiving one 16 MB segment to a local or S3 store takes seconds; a minute means it is failing. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(60);
    private static final long POLL_MILLIS = 200;

    private ArchiveCatchUp() {
    }

    /** Switches the source's WAL and waits until its store holds the ended segment; returns that segment. */
    static String awaitArchived(PgflyHome home, LocalCluster source, ClusterView view, StoreSettings store,
                                java.util.function.Consumer<String> say) throws IOException, InterruptedException {
        String name = source.spec().name();
        MemberView primaryView = SourceChoice.runningPrimary(view).orElseThrow(() -> new IllegalStateException(
                "cluster '" + name + "' runs no primary, so its archive cannot be brought up to now: wait for one,"
                        + " or stop the cluster to restore from what the archive holds"));
        MemberSpec primary = source.spec().member(primaryView.name()).orElseThrow();
        String segment;
        try (MemberSql sql = MemberSql.open(primary, Secrets.readFrom(home.secretsDir(name)).superuserPassword(),
                ClusterTls.clientTls(home, source.spec()))) {
            segment = sql.switchWal();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot switch the WAL of '" + name + "' on " + primary.name() + ": "
                    + e.getMessage(), e);
        }
        say.accept("archiving the WAL of '" + name + "' up to now: waiting for segment " + segment);
        long started = System.nanoTime();
        long deadline = System.nanoTime() + LONGEST_WAIT.toNanos();
        try (BackupStore archive = store.open()) {
            while (archive.stat(WalArchive.key(segment)).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the archive of '" + name + "' still lacks WAL segment " + segment
                            + " after " + LONGEST_WAIT.toSeconds() + " s: its archiving fails or lags (see pgfly backup status "
                            + name + ")");
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
        say.accept(String.format(java.util.Locale.ROOT, "the archive of '%s' holds %s (%.1f s)", name, segment,
                (System.nanoTime() - started) / 1e9));
        return segment;
    }
}
