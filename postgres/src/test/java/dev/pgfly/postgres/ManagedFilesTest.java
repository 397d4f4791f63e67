package dev.pgfly.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files PostgreSQL reads on a reload are never seen half-written. A reload requested by one agent cycle
 * can land while the next cycle writes: a chaos run's primary read a truncated pgfly.conf, turned ssl off
 * and kept serving without TLS ("server does not support SSL, but SSL was required" for every new replica).
 */
class ManagedFilesTest {
    private static final List<String> HOSTS = List.of("127.41.3.1", "127.41.3.2");

    private Path memberDir;
    private PgInstance pg;

    @BeforeEach
    void setUp() throws Exception {
        memberDir = Files.createTempDirectory("pgfly-config-files");
        pg = new PgInstance(new PgBinaries(Path.of("/nonexistent"), 15), OsUser.forPostgres(), memberDir,
                "127.41.3.1", 5432, true);
        pg.data().prepareDirectories();
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> all = Files.walk(memberDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aConcurrentReaderOnlyEverSeesAWholeConfiguration() throws Exception {
        Path conf = pg.dataDir().resolve("pgfly.conf");
        Map<String, String> a = Map.of("synchronous_standby_names", "ANY 1 (\"m2\", \"m3\")", "work_mem", "4MB");
        Map<String, String> b = Map.of("synchronous_standby_names", "ANY 1 (\"m2\")", "work_mem", "8MB");
        pg.files().writeConfig(a, HOSTS);
        String wholeA = Files.readString(conf);
        pg.files().writeConfig(b, HOSTS);
        String wholeB = Files.readString(conf);

        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread reader = Thread.ofPlatform().start(() -> {
            while (writing.get()) {
                try {
                    seen.add(Files.readString(conf));
                } catch (java.nio.file.NoSuchFileException e) {
                    seen.add("<missing>");
                } catch (Exception e) {
                    seen.add("<" + e + ">");
                }
            }
        });
        try {
            for (int i = 0; i < 1_500; i++) {
                pg.files().writeConfig(i % 2 == 0 ? a : b, HOSTS);
            }
        } finally {
            writing.set(false);
            reader.join();
        }
        assertThat(seen).containsOnly(wholeA, wholeB);
        assertThat(wholeA).contains("ssl = 'on'");
    }

    @Test
    void anUnchangedConfigurationIsNotRewritten() throws Exception {
        Map<String, String> settings = Map.of("work_mem", "4MB");
        pg.files().writeConfig(settings, HOSTS);
        pg.files().writePassFile("replication-secret", "superuser-secret");
        List<Object> before = fileKeys();
        Thread.sleep(20);
        pg.files().writeConfig(settings, HOSTS);
        pg.files().writePassFile("replication-secret", "superuser-secret");
        assertThat(fileKeys()).isEqualTo(before);
        try (Stream<Path> files = Files.list(pg.dataDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aChangedPasswordFileIsReplacedWhole() throws Exception {
        pg.files().writePassFile("first", "su");
        pg.files().writePassFile("second", "su");
        assertThat(Files.readString(pg.passFile())).contains(":second\n").doesNotContain("first");
        assertThat(Files.getPosixFilePermissions(pg.passFile()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    /** Identity (inode) and modification time of each file: a replaced or rewritten file changes either. */
    private List<Object> fileKeys() throws Exception {
        List<Object> keys = new ArrayList<>();
        for (Path p : List.of(pg.dataDir().resolve("pgfly.conf"), pg.dataDir().resolve("pg_hba.conf"),
                pg.dataDir().resolve("postgresql.conf"), pg.passFile())) {
            BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
            keys.add(attributes.fileKey());
            keys.add(attributes.lastModifiedTime());
        }
        return keys;
    }
}
