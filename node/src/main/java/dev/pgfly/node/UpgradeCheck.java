package dev.pgfly.node;

import dev.pgfly.postgres.PgBinaries;

import java.nio.file.Path;

/**
 * Whether a directory may replace a cluster's PostgreSQL binaries: it holds PostgreSQL's server
 * programs of the cluster's major version. A minor version or a rebuild runs the same data
 * directory; another major version needs pg_upgrade, which pgfly does not do.
 */
final class UpgradeCheck {
    private UpgradeCheck() {
    }

    /** The binaries in {@code dir} (made absolute), or an IllegalArgumentException saying why not. */
    static PgBinaries check(String dir, int clusterMajor) {
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("--pg-bin DIR is required: the directory of the new PostgreSQL binaries");
        }
        Path path = Path.of(dir).toAbsolutePath().normalize();
        PgBinaries bin;
        try {
            bin = PgBinaries.locate(path.toString());
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (bin.majorVersion() != clusterMajor) {
            throw new IllegalArgumentException(path + " is PostgreSQL " + bin.majorVersion() + "; the cluster runs "
                    + clusterMajor + ": major upgrades need pg_upgrade, which pgfly does not do yet");
        }
        return bin;
    }
}
