package dev.pgfly.node.api;

/**
 * A new cluster made from another one: from its backups ({@code --from-backup NAME[:ID]}, optionally to
 * a point in time) or as a fork of it while it runs ({@code --fork-from NAME}: a fresh snapshot, restored).
 */
public record RestoreRequest(String source, String snapshotId, String targetTime, String targetLsn, boolean fork) {
}
