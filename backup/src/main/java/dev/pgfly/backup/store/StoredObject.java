package dev.pgfly.backup.store;

/** One object in a backup store: its key (relative to the cluster's root), size in bytes and SHA-256 (hex). */
public record StoredObject(String key, long size, String sha256) {
}
