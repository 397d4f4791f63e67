package dev.pgfly.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * The OS user PostgreSQL runs as. PostgreSQL refuses to run as root, so an agent started as root
 * runs every PostgreSQL program as an unprivileged user (default {@code postgres}, or
 * {@code PGFLY_PG_USER}) through {@code setpriv}, and hands it ownership of the data directory.
 */
public final class OsUser {
    private final String name;
    private final boolean dropPrivileges;

    private OsUser(String name, boolean dropPrivileges) {
        this.name = name;
        this.dropPrivileges = dropPrivileges;
    }

    public static OsUser forPostgres() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            return new OsUser(System.getProperty("user.name"), false);
        }
        String user = System.getenv().getOrDefault("PGFLY_PG_USER", "postgres");
        return new OsUser(user, true);
    }

    public boolean dropsPrivileges() {
        return dropPrivileges;
    }

    public String name() {
        return name;
    }

    /** Prefixes a command so that it runs as this user. */
    public List<String> wrap(List<String> argv) {
        if (!dropPrivileges) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + name, "--regid=" + name,
                "--init-groups", "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /**
     * Gives this user ownership of one file or directory: the entry itself, never what a directory holds
     * and never what a link points to (no-op when not dropping privileges, or when it owns it already).
     *
     * <p>Root changes owners by name ({@code lchown}), so the name must not be replaceable by anybody
     * else between the look and the change: the parent directory must be writable by root alone (or be
     * sticky, like /tmp, where nobody else can rename root's entries). In a directory PostgreSQL's user
     * can write, that user could swap the name for a hard link to a root-only file and receive it; so
     * that is refused, and files root hands over are made elsewhere and renamed in ({@link OwnedFiles}).
     */
    public void own(Path path) throws IOException {
        if (!dropPrivileges) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(name);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(name);
        PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            throw new IOException("refusing to give " + path + " to " + name + ": it is a symbolic link");
        }
        if (a.owner().equals(user) && a.group().equals(group)) {
            return;
        }
        OwnedFiles.requireOnlyRootCanReplaceEntries(path.toAbsolutePath().getParent());
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(user);
        view.setGroup(group);
    }

    /** This user's group, for a directory root keeps but this user must traverse (mode 0710). */
    public GroupPrincipal group(Path on) throws IOException {
        return on.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
    }

    /**
     * Whether this user can reach {@code dir} (every parent searchable). Data under a home directory
     * like /root is not reachable by the postgres user; the caller then picks another place.
     */
    public boolean canReach(Path dir) {
        if (!dropPrivileges) {
            return true;
        }
        Command.Result r = Command.run(wrap(List.of("test", "-x", dir.toAbsolutePath().toString())),
                java.util.Map.of(), java.time.Duration.ofSeconds(5));
        return r.ok();
    }
}
