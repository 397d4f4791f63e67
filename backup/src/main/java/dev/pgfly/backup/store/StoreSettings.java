package dev.pgfly.backup.store;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.nio.file.Path;

/**
 * Where a cluster's backups go and how to reach them: {@code location} is a directory or
 * {@code s3://BUCKET/PREFIX} (already including the cluster's own part); for S3, an optional endpoint
 * (S3-compatible servers), region and static credentials (otherwise the SDK's usual chain: the
 * {@code AWS_*} environment variables, profiles, instance roles).
 */
public record StoreSettings(String location, String endpoint, String region, String accessKey, String secretKey) {

    public record S3Location(String bucket, String prefix) {
    }

    public static StoreSettings local(Path dir) {
        return new StoreSettings(dir.toAbsolutePath().normalize().toString(), null, null, null, null);
    }

    /** Derived, never a field of the JSON: the node's API refuses unknown fields ({@code create --backup-store} once sent "s3"). */
    @JsonIgnore
    public boolean isS3() {
        return location.startsWith("s3://");
    }

    public S3Location s3Location() {
        return parseS3(location);
    }

    /** Parses {@code s3://bucket[/prefix]}; the prefix has no leading or trailing slash. */
    public static S3Location parseS3(String url) {
        if (!url.startsWith("s3://")) {
            throw new IllegalArgumentException("not an s3:// URL: " + url);
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("bad S3 bucket name in '" + url + "'");
        }
        return new S3Location(bucket, prefix);
    }

    /** The location of one cluster's backups inside a store that holds several clusters'. */
    public StoreSettings forCluster(String cluster) {
        String sub = isS3() ? (location.endsWith("/") ? location + cluster : location + "/" + cluster)
                : Path.of(location).resolve(cluster).toString();
        return new StoreSettings(sub, endpoint, region, accessKey, secretKey);
    }

    public String regionOrDefault() {
        if (region != null && !region.isBlank()) {
            return region;
        }
        String env = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : System.getenv("AWS_DEFAULT_REGION");
        return env != null && !env.isBlank() ? env : "us-east-1";
    }

    public BackupStore open() {
        return isS3() ? new S3Store(this) : new LocalDirStore(Path.of(location));
    }

    /** The same settings without secrets, for display. */
    public String display() {
        return location + (endpoint != null ? " (endpoint " + endpoint + ")" : "");
    }
}
