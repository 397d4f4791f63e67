package dev.pgfly.agent.disk;

import java.util.Locale;

/**
 * The full-disk guard, as Fly's monitor does it: when the data volume is {@link #REFUSE_AT} full, the
 * primary refuses user writes (every session but pgfly's own starts read-only), before PostgreSQL itself
 * runs out of space (a WAL write that cannot get space stops the server: a PANIC, then crash recovery,
 * which needs space too). The refusal is lifted only below {@link #LIFT_BELOW}, so that a volume hovering
 * around the threshold does not flip writes on and off every cycle. A pure function of the current state
 * and one look at the volume; the agent applies what it says ({@code DiskWatch}).
 *
 * <p>The reason names the likely cause: WAL waiting for a failing archive, WAL retained in pg_wal
 * (replication slots, wal_keep_size), or the database itself.
 */
public final class DiskGuard {
    public static final double REFUSE_AT = 0.90;
    public static final double LIFT_BELOW = 0.85;
    /**
     * The least space left when writes are refused: three WAL segments. A checkpoint creates a 16 MB segment
     * at once, and one that finds no space stops PostgreSQL (a PANIC, seen on a 128 MB volume at 88 %); so on
     * a volume under 480 MB the refusal comes earlier than 90 %, and is lifted 5 % of the volume below that.
     */
    public static final long RESERVE_BYTES = 48L << 20;
    /** WAL waiting for the archive above this share of the used space is named as the cause. */
    static final double ARCHIVE_CAUSE_SHARE = 0.20;
    /** pg_wal above this share of the used space is named as the cause. */
    static final double WAL_CAUSE_SHARE = 0.40;

    /** Whether user writes are accepted. */
    public enum State {
        OPEN, REFUSING_WRITES;

        public String label() {
            return this == OPEN ? "open" : "refusing-writes";
        }
    }

    /**
     * @param state   the state to apply
     * @param changed whether it differs from the current one (an event, a reload)
     * @param reason  a sentence for people: usage, thresholds and cause
     */
    public record Verdict(State state, boolean changed, String reason) {
        public boolean refusesWrites() {
            return state == State.REFUSING_WRITES;
        }
    }

    private DiskGuard() {
    }

    public static Verdict decide(State current, DiskUsage usage) {
        if (!usage.known()) {
            // Nothing to decide on: keep what was decided last (a refusal is never lifted blind).
            return new Verdict(current, false, "data volume usage unknown");
        }
        double used = usage.usedFraction();
        double refuseAt = refuseAt(usage.totalBytes());
        double liftBelow = refuseAt - (REFUSE_AT - LIFT_BELOW);
        String volume = String.format(Locale.ROOT, "data volume %.0f%% full (%s of %s)", used * 100,
                mib(usage.usedBytes()), mib(usage.totalBytes()));
        State next = switch (current) {
            case OPEN -> used >= refuseAt ? State.REFUSING_WRITES : State.OPEN;
            case REFUSING_WRITES -> used < liftBelow ? State.OPEN : State.REFUSING_WRITES;
        };
        String reason = next == State.REFUSING_WRITES
                ? volume + ": user writes refused until it is below " + percent(liftBelow) + "; cause: " + cause(usage)
                : current == State.REFUSING_WRITES
                ? volume + ", below " + percent(liftBelow) + ": user writes accepted again"
                : volume + "; user writes are refused from " + percent(refuseAt);
        return new Verdict(next, next != current, reason);
    }

    /** The used share from which writes are refused: 90 %, or less where 10 % is under {@link #RESERVE_BYTES}. */
    static double refuseAt(long totalBytes) {
        return Math.min(REFUSE_AT, 1 - (double) RESERVE_BYTES / totalBytes);
    }

    /** What fills the volume, as far as pgfly can tell. */
    static String cause(DiskUsage u) {
        if (u.walAwaitingArchiveBytes() > ARCHIVE_CAUSE_SHARE * u.usedBytes()) {
            // .ready files say a segment is not archived yet, not why: the archive command fails, or is slow.
            return "WAL archiving is behind (archive_command failing or slow): " + mib(u.walAwaitingArchiveBytes())
                    + " of WAL in pg_wal wait for the archive";
        }
        if (u.walBytes() > WAL_CAUSE_SHARE * u.usedBytes()) {
            return "pg_wal holds " + mib(u.walBytes()) + " (retained for replication slots or wal_keep_size)";
        }
        return "the database holds " + mib(u.usedBytes() - u.walBytes()) + " (pg_wal " + mib(u.walBytes()) + ")";
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.0f%%", Math.floor(f * 100 + 1e-9));
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
