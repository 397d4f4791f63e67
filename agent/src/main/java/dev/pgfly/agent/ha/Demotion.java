package dev.pgfly.agent.ha;

import dev.pgfly.core.ha.CycleOutcome;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.postgres.PgProbe;
import dev.pgfly.postgres.ShutdownMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The one routine that takes write authority away from this member's PostgreSQL, driven by a small table
 * of modes (Patroni's {@code demote(mode)} is the model). Every mode serves S1: a PostgreSQL that may
 * accept writes without leadership stops at once.
 */
final class Demotion {
    private static final Logger log = LoggerFactory.getLogger(Demotion.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param marksFormerPrimary the data directory is marked for a rewind before it follows anyone (S4)
     * @param publishesDemoting  the cycle publishes {@link MemberState#DEMOTING} while it stops
     * @param eventKind          the history event recorded, or null when the caller records its own
     */
    enum Mode {
        /** Another member leads: stop at once, then rejoin it as a replica. */
        NEW_LEADER(true, true, "demote"),
        /** Nobody leads and this PostgreSQL is writable: stop it before any election. */
        BEFORE_ELECTION(true, true, "demote"),
        /** A previous agent of this member left its leader node: stop before removing the node. */
        STALE_LEADER_NODE(true, false, null);

        final boolean marksFormerPrimary;
        final boolean publishesDemoting;
        final String eventKind;

        Mode(boolean marksFormerPrimary, boolean publishesDemoting, String eventKind) {
            this.marksFormerPrimary = marksFormerPrimary;
            this.publishesDemoting = publishesDemoting;
            this.eventKind = eventKind;
        }
    }

    private final HaContext ctx;

    Demotion(HaContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Stops PostgreSQL with an immediate shutdown when it may accept writes; true when it did. Stopped by
     * force, not handed over: what a switchover once left here no longer holds, so the next rejoin rewinds.
     */
    boolean demoteIfWritable(Mode mode, Optional<PgProbe> probe, String reason) throws IOException {
        if (!mayAcceptWrites(probe)) {
            return false;
        }
        log.warn("PostgreSQL may accept writes without leadership ({}): immediate shutdown", reason);
        if (mode.publishesDemoting) {
            ctx.progress(MemberState.DEMOTING, "PostgreSQL may accept writes without leadership: immediate shutdown");
        }
        ctx.formerPrimaryCleanlyStopped = false;
        if (mode.marksFormerPrimary) {
            ctx.marks.markFormerPrimary();
        }
        ctx.pg.stop(ShutdownMode.IMMEDIATE, STOP_TIMEOUT);
        if (mode.eventKind != null) {
            ctx.event(mode.eventKind, reason);
        }
        return true;
    }

    /**
     * S1 on SUSPENDED, on the store's event thread: no waiting for the stop, no file written, only the
     * signal. The next cycle finds a data directory without standby.signal and treats it as a former primary.
     */
    void fence() {
        if (!ctx.lease.isLeading()) {
            return;
        }
        ctx.lease.stopLeading();
        log.warn("coordination connection suspended while leading: immediate shutdown of PostgreSQL (fencing)");
        ctx.pg.postmaster().signal(ShutdownMode.IMMEDIATE);
        ctx.settle(CycleOutcome.of(MemberState.FENCED, "coordination connection lost while leading"));
        ctx.event("fence", "coordination connection suspended while leading");
    }

    /**
     * Whether the local PostgreSQL may accept writes: it runs and is not in recovery, or it does not
     * answer and has no standby.signal (a primary that is busy or starting counts as writable).
     */
    boolean mayAcceptWrites(Optional<PgProbe> probe) {
        if (!ctx.pg.isRunning()) {
            return false;
        }
        return probe.map(p -> !p.inRecovery()).orElse(!ctx.pg.data().isStandbyConfigured());
    }
}
