package dev.pgfly.backup;

import dev.pgfly.core.model.Lsn;
import dev.pgfly.core.util.Json;

import java.time.Instant;
import java.util.List;

/**
 * What a snapshot is: written last, as {@code snapshots/ID/manifest.json}, so a snapshot without a
 * manifest is incomplete and never used. Each file is listed with its size and SHA-256, which are
 * checked again against the store's own checksum when read.
 */
public record SnapshotManifest(
        String id,
        String cluster,
        String sourceMember,
        Instant startTime,
        Instant endTime,
        String startLsn,
        String endLsn,
        int timeline,
        int pgVersion,
        long sizeBytes,
        List<File> files) {

    public static final String FORMAT_NOTE = "pg_basebackup -Ft -X stream, gzip";

    public record File(String name, String key, long size, String sha256) {
    }

    public SnapshotManifest {
        files = files == null ? List.of() : List.copyOf(files);
    }

    public static String prefix(String id) {
        return "snapshots/" + id + "/";
    }

    public static String key(String id) {
        return prefix(id) + "manifest.json";
    }

    public long startLsnValue() {
        return Lsn.parse(startLsn);
    }

    public long endLsnValue() {
        return Lsn.parse(endLsn);
    }

    public byte[] toJson() {
        return Json.pretty(this).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static SnapshotManifest fromJson(byte[] json) {
        SnapshotManifest m = Json.read(json, SnapshotManifest.class);
        if (m.id() == null || m.startLsn() == null || m.endLsn() == null || m.files().isEmpty() || m.endTime() == null) {
            throw new IllegalArgumentException("incomplete snapshot manifest");
        }
        return m;
    }

    /** Snapshot ids are UTC timestamps, so that they sort by time and read well: 20250102T030000Z. */
    public static String newId(Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                .format(at);
    }

    public static boolean isValidId(String id) {
        return id != null && id.matches("\\d{8}T\\d{6}Z(-\\d+)?");
    }
}
