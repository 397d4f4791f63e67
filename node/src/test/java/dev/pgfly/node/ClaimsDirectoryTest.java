package dev.pgfly.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each user's claims directory is its own: made 0700, and refused when someone else made or opened it. */
class ClaimsDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void rootClaimsUnderRunOthersInTheirRuntimeDirectoryOrTheirOwnTmpDirectory() throws Exception {
        assertThat(ClaimsDirectory.choose(0, Map.of(), tmp)).isEqualTo(Path.of("/run/pgfly-claims"));
        assertThat(ClaimsDirectory.choose(4242, Map.of(), tmp)).isEqualTo(tmp.resolve("pgfly-claims-4242"));
        Path runtime = Files.createDirectory(tmp.resolve("runtime"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(runtime, "unix:uid", 4242);
        assertThat(ClaimsDirectory.choose(4242, Map.of("XDG_RUNTIME_DIR", runtime.toString()), tmp))
                .isEqualTo(runtime.resolve("pgfly-claims"));
        assertThat(ClaimsDirectory.choose(4343, Map.of("XDG_RUNTIME_DIR", runtime.toString()), tmp))
                .as("a runtime directory that is not the user's own").isEqualTo(tmp.resolve("pgfly-claims-4343"));
    }

    @Test
    void aNewDirectoryIsPrivate() throws Exception {
        Path dir = tmp.resolve("claims");
        ClaimsDirectory.prepare(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        ClaimsDirectory.prepare(dir);
    }

    @Test
    void aDirectorySomeoneElseMadeOrOpenedIsRefused() throws Exception {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 4343);
        assertThatThrownBy(() -> ClaimsDirectory.prepare(theirs)).hasMessageContaining("owned by uid 4343");

        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> ClaimsDirectory.prepare(open)).hasMessageContaining("other users can write it (mode 777)");

        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("target")));
        assertThatThrownBy(() -> ClaimsDirectory.prepare(link)).hasMessageContaining("symbolic link");
        assertThat(Files.list(tmp.resolve("target"))).as("nothing made through the link").isEmpty();
    }

    @Test
    void aClaimNamedLikeASymbolicLinkIsNeverFollowed() throws Exception {
        Path dir = tmp.resolve("claims");
        ClaimsDirectory.prepare(dir);
        Path precious = Files.writeString(tmp.resolve("precious"), "root's own\n");
        Files.createSymbolicLink(dir.resolve("port-127.0.0.1-16432"), precious);
        Path home = Files.createDirectory(tmp.resolve("home"));
        HostClaims claims = new HostClaims(dir, home, Clock.systemUTC());
        assertThatThrownBy(() -> claims.tryClaim("127.0.0.1", 16432, 1, Set.of(), (h, p) -> true))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(precious)).isEqualTo("root's own\n");
        assertThat(Files.isSymbolicLink(dir.resolve("port-127.0.0.1-16432"))).isTrue();
        Files.delete(dir.resolve("port-127.0.0.1-16432"));
        assertThat(claims.tryClaim("127.0.0.1", 16432, 1, Set.of(), (h, p) -> true)).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("port-127.0.0.1-16432"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
