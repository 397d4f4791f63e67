package dev.pgfly.agent.ha;

import dev.pgfly.core.model.ClusterSpec;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberState;
import dev.pgfly.core.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * S4: a former primary never rejoins blind. pg_rewind against the new primary first; a fresh clone when
 * that fails, which replaces the data directory only once it is complete (the old copy is set aside until
 * then), so the only copy of data is never deleted before a second exists.
 */
final class Rejoining {
    private static final Logger log = LoggerFactory.getLogger(Rejoining.class);

    private final HaContext ctx;

    Rejoining(HaContext ctx) {
        this.ctx = ctx;
    }

    void rejoin(ClusterSpec spec, LeaderRecord leader) throws IOException {
        if (ctx.formerPrimaryCleanlyStopped) {
            ctx.formerPrimaryCleanlyStopped = false;
            ctx.marks.clearFormerPrimary();
            ctx.event("rejoin", "follows " + leader.member() + " after a planned switchover, no rewind needed");
            return;
        }
        ctx.progress(MemberState.REWINDING, "rewinding against " + leader.member());
        ctx.local.configure(spec, spec.member(ctx.member).orElseThrow(), leader, Set.of());
        // pg_rewind reads the source's timeline from its control file, which a freshly promoted primary
        // updates only at its next checkpoint: without one it wrongly finds "no rewind required".
        ctx.local.checkpointOn(leader.host(), leader.pgPort());
        var rewind = ctx.pg.data().rewind(leader.host(), leader.pgPort(), Duration.ofHours(1));
        if (rewind.ok()) {
            ctx.rewoundWithoutEffect = RewindOutput.foundNothingToRewind(rewind.output());
            ctx.marks.clearFormerPrimary();
            ctx.event("rewind", "pg_rewind against " + leader.member() + ": " + rewind.lastLine());
            return;
        }
        log.warn("pg_rewind failed: {}; re-cloning", rewind.lastLine());
        if (RewindOutput.changedTheTarget(rewind.output())) {
            // A rewind that failed part-way leaves the data directory unusable (PostgreSQL's documentation
            // says so): marked first, so that if the re-clone fails too (its source stopping in a switchover)
            // the directory is never started, nor offered in an election, before a clone replaces it.
            // One that failed earlier (its source unreachable) changed nothing: the directory is still a
            // valid copy, and it must stay electable, since it may be the synchronous standby the others
            // need to hear from before any of them may promote.
            ctx.marks.markRecloneNeeded(rewind.lastLine());
        }
        reclone(leader, "pg_rewind failed (" + rewind.lastLine() + ")");
    }

    /** A fresh clone that replaces the data directory only once complete (the old copy is kept until then). */
    void reclone(LeaderRecord leader, String why) throws IOException {
        ctx.progress(MemberState.RECLONING, "re-cloning from " + leader.member());
        // A killed postmaster's last children (its archiver) still write into the directory we move.
        ctx.pg.postmaster().awaitOldProcessesGone(Duration.ofSeconds(30));
        Path aside = ctx.pg.data().moveDataAside();
        var clone = ctx.pg.data().basebackup(leader.host(), leader.pgPort(), null, Duration.ofHours(6));
        if (!clone.ok()) {
            // Keep the only copy we had: put it back and try again next cycle.
            ctx.clearIncompleteDataDir();
            Files.delete(ctx.pg.dataDir());
            Files.move(aside, ctx.pg.dataDir());
            throw new IOException("re-clone from " + leader.member() + " failed: " + clone.lastLine());
        }
        // The clone is complete and a standby (basebackup says so): from here on nothing may fail the
        // re-clone. The old copies are only disk space now.
        ctx.marks.clearFormerPrimary();
        ctx.marks.clearRecloneNeeded();
        ctx.rewoundWithoutEffect = false;
        ctx.event("reclone", why + "; re-cloned from " + leader.member());
        removeOldCopies();
    }

    /** Removes data directories set aside by re-clones (this one's and any an earlier removal left). */
    private void removeOldCopies() {
        try {
            for (Path copy : ctx.pg.data().setAsideCopies()) {
                try {
                    FileTrees.delete(copy);
                } catch (IOException e) {
                    log.warn("could not remove the old copy {} yet ({}); the next re-clone tries again", copy, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("could not list {}: {}", ctx.pg.memberDir(), e.toString());
        }
    }
}
