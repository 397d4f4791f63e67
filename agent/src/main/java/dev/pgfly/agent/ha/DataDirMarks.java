package dev.pgfly.agent.ha;

import dev.pgfly.postgres.PgInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The three marks the HA loop keeps beside the data directory, as files so that a restarted agent knows
 * them too (docs/ha-state-machine.md, "Marks and flags"):
 * <ul>
 *   <li>{@code former-primary}: this directory was writable under an older term and must be rewound or
 *       re-cloned before it follows anyone (S4);</li>
 *   <li>{@code reclone-needed}: a pg_rewind failed after it began changing files; the directory is never
 *       started nor offered in an election until a clone replaces it (S4);</li>
 *   <li>{@code roles-pending}: the bootstrap began and pgfly's roles may not exist yet.</li>
 * </ul>
 */
final class DataDirMarks {
    private final PgInstance pg;

    DataDirMarks(PgInstance pg) {
        this.pg = pg;
    }

    private Path formerPrimary() {
        return pg.memberDir().resolve("former-primary");
    }

    private Path recloneNeeded() {
        return pg.memberDir().resolve("reclone-needed");
    }

    private Path rolesPending() {
        return pg.memberDir().resolve("roles-pending");
    }

    void markFormerPrimary() throws IOException {
        if (!Files.exists(formerPrimary())) {
            Files.writeString(formerPrimary(), Long.toString(System.currentTimeMillis()));
        }
    }

    void clearFormerPrimary() throws IOException {
        Files.deleteIfExists(formerPrimary());
    }

    /** Marked so, or a data directory that would start writable; never a clone that has not started yet. */
    boolean isFormerPrimary() {
        return Files.exists(formerPrimary()) || (!pg.data().isStandbyConfigured() && !pg.data().isUnstartedClone());
    }

    boolean isRecloneNeeded() {
        return Files.exists(recloneNeeded());
    }

    void markRecloneNeeded(String why) throws IOException {
        Files.writeString(recloneNeeded(), why);
    }

    void clearRecloneNeeded() throws IOException {
        Files.deleteIfExists(recloneNeeded());
    }

    boolean areRolesPending() {
        return Files.exists(rolesPending());
    }

    void markRolesPending() throws IOException {
        Files.writeString(rolesPending(), "");
    }

    void clearRolesPending() throws IOException {
        Files.deleteIfExists(rolesPending());
    }
}
