package dev.pgfly.backup.store;

import dev.pgfly.backup.WalArchive;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 store with the real AWS SDK against a real S3-compatible server (S3Proxy) on loopback. */
class S3StoreTest {
    static final String ACCESS = "pgfly-access";
    static final String SECRET = "pgfly-secret-key";
    static S3Proxy proxy;
    static BlobStoreContext context;
    static String endpoint;

    @BeforeAll
    static void startServer() throws Exception {
        Properties props = new Properties();
        context = ContextBuilder.newBuilder("transient").credentials("id", "cred").overrides(props)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            Thread.sleep(10);
        }
        endpoint = "http://127.0.0.1:" + proxy.getPort();
        context.getBlobStore().createContainerInLocation(null, "backups");
    }

    @AfterAll
    static void stopServer() throws Exception {
        proxy.stop();
        context.close();
    }

    static StoreSettings settings(String location) {
        return new StoreSettings(location, endpoint, "us-east-1", ACCESS, SECRET);
    }

    @Test
    void roundTripListStatDelete(@TempDir Path dir) throws Exception {
        try (BackupStore store = settings("s3://backups/pgfly").forCluster("demo").open()) {
            Path file = dir.resolve("f");
            byte[] data = new byte[300_000];
            new java.util.Random(7).nextBytes(data);
            Files.write(file, data);
            StoredObject put = store.put("snapshots/1/base.tar.gz", file);
            store.put("snapshots/1/manifest.json", "{}".getBytes());
            assertThat(store.read("snapshots/1/base.tar.gz")).isEqualTo(data);
            assertThat(store.stat("snapshots/1/base.tar.gz")).contains(put);
            assertThat(store.list("snapshots/")).extracting(StoredObject::key)
                    .containsExactly("snapshots/1/base.tar.gz", "snapshots/1/manifest.json");
            assertThat(store.describe()).isEqualTo("s3://backups/pgfly/demo/");
            store.delete("snapshots/1/manifest.json");
            assertThat(store.stat("snapshots/1/manifest.json")).isEmpty();
            assertThatThrownBy(() -> store.open("snapshots/1/manifest.json")).isInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void walPushAndFetchThroughS3(@TempDir Path dir) throws Exception {
        try (BackupStore store = settings("s3://backups/wal-test").open()) {
            WalArchive wal = new WalArchive(store);
            Path seg = dir.resolve("seg");
            Files.write(seg, new byte[16 << 20]);
            assertThat(wal.push(seg, "000000010000000000000001")).isEqualTo(WalArchive.PushResult.ARCHIVED);
            assertThat(wal.push(seg, "000000010000000000000001")).isEqualTo(WalArchive.PushResult.ALREADY_ARCHIVED);
            wal.fetch("000000010000000000000001", dir.resolve("back"));
            assertThat(Files.mismatch(seg, dir.resolve("back"))).isEqualTo(-1);
            assertThat(wal.names()).containsExactly("000000010000000000000001");
        }
    }

    @Test
    void aCorruptedObjectIsDetected() throws Exception {
        // Written behind the store's back: bytes that do not match the checksum in its metadata.
        try (S3Client raw = S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            raw.putObject(b -> b.bucket("backups").key("corrupt/wal/x").metadata(Map.of("sha256", Sha256.of(new byte[]{1}))),
                    RequestBody.fromBytes(new byte[]{2}));
        }
        try (BackupStore store = settings("s3://backups/corrupt").open()) {
            assertThatThrownBy(() -> store.read("wal/x")).isInstanceOf(ChecksumMismatchException.class);
        }
    }

    @Test
    void badLocationsAreRefused() {
        assertThatThrownBy(() -> StoreSettings.parseS3("s3://B_ad/x")).hasMessageContaining("bucket");
        assertThat(StoreSettings.parseS3("s3://my-bucket//a/b/")).isEqualTo(new StoreSettings.S3Location("my-bucket", "a/b"));
    }
}
