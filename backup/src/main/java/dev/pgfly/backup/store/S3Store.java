package dev.pgfly.backup.store;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A backup store in S3-compatible object storage, through the AWS SDK for Java v2. Objects live under
 * {@code s3://BUCKET/PREFIX/}; each carries its SHA-256 in the user metadata {@code x-amz-meta-sha256},
 * checked on every read. Files above {@link #MULTIPART_THRESHOLD} go up as multipart uploads.
 */
public final class S3Store implements BackupStore {
    static final String CHECKSUM_METADATA = "sha256";
    private static final long MULTIPART_THRESHOLD = 256L << 20;
    private static final long PART_SIZE = 64L << 20;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3Store(StoreSettings settings) {
        StoreSettings.S3Location location = settings.s3Location();
        this.bucket = location.bucket();
        this.prefix = location.prefix().isEmpty() ? "" : location.prefix() + "/";
        this.s3 = client(settings);
    }

    private static S3Client client(StoreSettings settings) {
        AwsCredentialsProvider credentials = settings.accessKey() != null && settings.secretKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials)
                .region(Region.of(settings.regionOrDefault()))
                // S3-compatible servers often lack the newer default checksums (CRC32 trailers); ours is SHA-256 metadata.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
            b.endpointOverride(URI.create(settings.endpoint())).forcePathStyle(true);
        }
        return b.build();
    }

    @Override
    public StoredObject put(String key, Path file) throws IOException {
        String sha = Sha256.of(file);
        long size = Files.size(file);
        try {
            if (size > MULTIPART_THRESHOLD) {
                putMultipart(key, file, size, sha);
            } else {
                s3.putObject(b -> b.bucket(bucket).key(prefix + key).metadata(Map.of(CHECKSUM_METADATA, sha)),
                        RequestBody.fromFile(file));
            }
        } catch (S3Exception e) {
            throw failure("upload of " + key, e);
        }
        return new StoredObject(key, size, sha);
    }

    private void putMultipart(String key, Path file, long size, String sha) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(prefix + key)
                .metadata(Map.of(CHECKSUM_METADATA, sha))).uploadId();
        try (InputStream in = Files.newInputStream(file)) {
            List<CompletedPart> parts = new ArrayList<>();
            long offset = 0;
            for (int part = 1; offset < size; part++) {
                long length = Math.min(PART_SIZE, size - offset);
                byte[] chunk = in.readNBytes((int) length);
                int number = part;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(prefix + key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(chunk)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                offset += length;
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(prefix + key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (IOException | RuntimeException e) {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(prefix + key).uploadId(uploadId));
            throw e;
        }
    }

    @Override
    public StoredObject put(String key, byte[] data) throws IOException {
        String sha = Sha256.of(data);
        try {
            s3.putObject(b -> b.bucket(bucket).key(prefix + key).metadata(Map.of(CHECKSUM_METADATA, sha)),
                    RequestBody.fromBytes(data));
        } catch (S3Exception e) {
            throw failure("upload of " + key, e);
        }
        return new StoredObject(key, data.length, sha);
    }

    @Override
    public VerifyingInputStream open(String key) throws IOException {
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(prefix + key));
            String expected = in.response().metadata().get(CHECKSUM_METADATA);
            if (expected == null) {
                in.abort();
                throw new IOException("object " + key + " has no recorded checksum (metadata " + CHECKSUM_METADATA + ")");
            }
            return new VerifyingInputStream(in, key, expected);
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException("no object " + key + " in " + describe());
        } catch (S3Exception e) {
            throw failure("download of " + key, e);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) throws IOException {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(prefix + key));
            return Optional.of(new StoredObject(key, head.contentLength(), head.metadata().get(CHECKSUM_METADATA)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("stat of " + key, e);
        }
    }

    /** Keys and sizes; the checksums are not in a listing (null here): {@link #stat} or {@link #open} has them. */
    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        List<StoredObject> objects = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + keyPrefix)).contents()) {
                objects.add(new StoredObject(o.key().substring(prefix.length()), o.size(), null));
            }
        } catch (S3Exception e) {
            throw failure("listing of " + keyPrefix, e);
        }
        objects.sort(Comparator.comparing(StoredObject::key));
        return objects;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(prefix + key));
        } catch (S3Exception e) {
            throw failure("delete of " + key, e);
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public void close() {
        s3.close();
    }

    private IOException failure(String what, S3Exception e) {
        String reason = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : e.getMessage();
        return new IOException(what + " in " + describe() + " failed: " + reason + " (HTTP " + e.statusCode() + ")", e);
    }
}
