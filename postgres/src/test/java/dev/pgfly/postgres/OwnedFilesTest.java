package dev.pgfly.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 18, hole 5: PostgreSQL's OS user replaces a file pgfly manages in the data directory by a link
 * to a file only root may read (or write). Root must neither read the link's target into a file that
 * user can read, nor write, chmod or chown the target.
 */
class OwnedFilesTest {
    private Path memberDir;
    private Path dataDir;
    private Path secret;

    @BeforeEach
    void setUp() throws Exception {
        memberDir = Files.createTempDirectory(Path.of("/tmp"), "pgfly-owned-files-");
        dataDir = memberDir.resolve("data");
        Files.createDirectory(dataDir);
        secret = Files.createTempFile(Path.of("/tmp"), "pgfly-root-only-", ".txt",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, "the root-only secret\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        Command.run(List.of("rm", "-rf", memberDir.toString(), secret.toString()), Map.of(), Duration.ofSeconds(30));
    }

    @Test
    void readsOnlyRegularFilesAndNeverFollowsALink() throws Exception {
        Path conf = dataDir.resolve("pgfly.conf");
        assertThat(OwnedFiles.readRegular(conf)).isEmpty();
        Files.writeString(conf, "a = 1\n");
        assertThat(OwnedFiles.readRegular(conf)).contains("a = 1\n");

        Path link = dataDir.resolve("pg_hba.conf");
        Files.createSymbolicLink(link, secret);
        assertThat(OwnedFiles.readRegular(link)).isEmpty();

        Path fifo = dataDir.resolve("standby.signal");
        assertThat(Command.run(List.of("mkfifo", fifo.toString()), Map.of(), Duration.ofSeconds(5)).ok()).isTrue();
        assertThat(OwnedFiles.readRegular(fifo)).as("a FIFO is not read (that would block)").isEmpty();
    }

    @Test
    void replacingALinkReplacesTheLinkAndLeavesItsTargetAlone() throws Exception {
        PosixFileAttributes before = Files.readAttributes(secret, PosixFileAttributes.class);
        Path conf = dataDir.resolve("pgfly.conf");
        Files.createSymbolicLink(conf, secret);

        assertThat(OwnedFiles.replaceIfChanged(conf, "work_mem = '4MB'\n", "rw-------", OsUser.forPostgres())).isTrue();

        assertThat(Files.isSymbolicLink(conf)).isFalse();
        assertThat(conf).hasContent("work_mem = '4MB'");
        assertThat(secret).hasContent("the root-only secret");
        PosixFileAttributes after = Files.readAttributes(secret, PosixFileAttributes.class);
        assertThat(after.owner()).isEqualTo(before.owner());
        assertThat(after.group()).isEqualTo(before.group());
        assertThat(after.permissions()).isEqualTo(before.permissions());
        assertThat(OwnedFiles.replaceIfChanged(conf, "work_mem = '4MB'\n", "rw-------", OsUser.forPostgres())).isFalse();
        try (var left = Files.list(memberDir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no staging copy left behind").containsExactly("data");
        }
    }

    @Test
    void refusesToStageWhereOthersCanReplaceEntries() throws Exception {
        Files.setPosixFilePermissions(memberDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> OwnedFiles.replace(dataDir.resolve("pgfly.conf"), "x", "rw-------", OsUser.forPostgres()))
                .hasMessageContaining("other users can replace its entries");
    }

    @Test
    void postgresqlConfALinkToARootFileNeverCarriesItsContentBack() throws Exception {
        PgInstance pg = new PgInstance(new PgBinaries(Path.of("/nonexistent"), 15), OsUser.forPostgres(), memberDir,
                "127.41.3.9", 5432);
        pg.data().prepareDirectories();
        Path conf = pg.dataDir().resolve("postgresql.conf");
        Files.createSymbolicLink(conf, secret);
        Path hba = pg.dataDir().resolve("pg_hba.conf");
        Files.createSymbolicLink(hba, secret);

        pg.files().writeConfig(Map.of("work_mem", "4MB"), List.of("127.41.3.9"));

        assertThat(secret).hasContent("the root-only secret");
        assertThat(Files.isSymbolicLink(conf)).isFalse();
        assertThat(Files.readString(conf)).contains("include_if_exists = 'pgfly.conf'").doesNotContain("secret");
        assertThat(Files.isSymbolicLink(hba)).isFalse();
        assertThat(Files.readString(hba)).doesNotContain("secret");
    }

    @Test
    void ownGivesAwayOneEntryNeverALinkAndNeverInADirectoryTheUserCanWrite() throws Exception {
        OsUser user = OsUser.forPostgres();
        assumeTrue(user.dropsPrivileges(), "needs root and a postgres user");
        Path link = memberDir.resolve("link");
        Files.createSymbolicLink(link, secret);
        assertThatThrownBy(() -> user.own(link)).hasMessageContaining("symbolic link");
        assertThat(Files.readAttributes(secret, PosixFileAttributes.class).owner().getName()).isEqualTo("root");

        user.own(dataDir);
        assertThat(Files.getOwner(dataDir, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(user.name());
        Path inside = Files.createFile(dataDir.resolve("made-by-root"));
        assertThatThrownBy(() -> user.own(inside)).hasMessageContaining("other users can replace its entries");
        assertThat(Files.getOwner(inside, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("root");
    }

    @Test
    void theMemberDirectoryLetsOnlyPostgresUsersGroupThrough() throws Exception {
        OsUser user = OsUser.forPostgres();
        MemberDirectory.prepare(memberDir, user);
        PosixFileAttributes a = Files.readAttributes(memberDir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (user.dropsPrivileges()) {
            assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rwx--x---");
            assertThat(a.group().getName()).isEqualTo(user.name());
            assertThat(user.canReach(memberDir)).isTrue();
        } else {
            assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rwx------");
        }
    }

    /**
     * A member directory on a volume of its own (the host chaos campaign's full-disk fault mounts a tmpfs
     * there): the password file in it used to be staged in the directory above, on another file system,
     * and the rename failed (EXDEV), so the member could not start. Needs root (mount).
     */
    @Test
    void aMemberDirectoryOnAVolumeOfItsOwnStagesInItself() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount");
        Path volume = memberDir.resolve("m1");
        Files.createDirectory(volume);
        assertThat(Command.run(List.of("mount", "-t", "tmpfs", "-o", "size=4m,mode=0710", "pgfly-owned-files-test",
                volume.toString()), Map.of(), Duration.ofSeconds(30)).ok()).as("mount a tmpfs").isTrue();
        try {
            assertThat(OwnedFiles.stagingDir(volume.resolve("pgpass"))).isEqualTo(volume);
            OwnedFiles.replace(volume.resolve("pgpass"), "*:*:*:u:p\n", "rw-------", OsUser.forPostgres());
            assertThat(Files.readString(volume.resolve("pgpass"))).isEqualTo("*:*:*:u:p\n");

            Path data = Files.createDirectory(volume.resolve("data"));
            assertThat(OwnedFiles.stagingDir(data.resolve("pgfly.conf"))).as("the data directory's files: in the member directory")
                    .isEqualTo(volume);
            OwnedFiles.replace(data.resolve("pgfly.conf"), "a = 1\n", "rw-------", OsUser.forPostgres());
            assertThat(Files.readString(data.resolve("pgfly.conf"))).isEqualTo("a = 1\n");
            assertThat(OwnedFiles.stagingDir(memberDir.resolve("pgpass"))).as("a directory on its parent's file system: unchanged")
                    .isEqualTo(memberDir.getParent());

            Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxrwxrwx"));
            assertThatThrownBy(() -> OwnedFiles.replace(volume.resolve("pgpass"), "x", "rw-------", OsUser.forPostgres()))
                    .as("a volume others can write is no place to stage").hasMessageContaining("other users can replace its entries");
        } finally {
            Command.run(List.of("umount", volume.toString()), Map.of(), Duration.ofSeconds(30));
        }
    }
}
