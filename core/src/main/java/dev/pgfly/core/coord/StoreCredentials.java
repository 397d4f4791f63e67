package dev.pgfly.core.coord;

import dev.pgfly.core.util.Secrets;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Who pgfly is to ZooKeeper: a digest identity ({@code user:password}, ZooKeeper's
 * DigestAuthenticationProvider). Every node pgfly creates carries an ACL that gives this identity all
 * rights and nobody else any, so a client without the password can neither read nor write the leader
 * node, the term or the configuration.
 *
 * <p>The file holds one line, {@code user:password}, mode 0600; processes get its path, never its
 * content, on their command line. In local mode the daemon generates one identity and gives every
 * cluster a copy in its secrets directory: every agent there runs as the same OS user and could read
 * any cluster's secrets anyway. On shared ensembles give each cluster its own file.
 */
public record StoreCredentials(String user, String password) {
    public static final String SCHEME = "digest";

    public StoreCredentials {
        if (user == null || user.isEmpty() || user.contains(":") || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("store credentials must be user:password");
        }
    }

    public static StoreCredentials generate(String user) {
        return new StoreCredentials(user, Secrets.random(32));
    }

    public static StoreCredentials readFrom(Path file) throws IOException {
        String line = Files.readString(file).strip();
        int colon = line.indexOf(':');
        if (colon <= 0 || line.contains("\n")) {
            throw new IllegalArgumentException(file + " must hold one line user:password");
        }
        return new StoreCredentials(line.substring(0, colon), line.substring(colon + 1));
    }

    /** Writes the file (0600) unless it already holds exactly these credentials. */
    public void writeTo(Path file) throws IOException {
        if (Files.exists(file) && Files.readString(file).strip().equals(authText())) {
            return;
        }
        Files.createDirectories(file.getParent());
        Secrets.writePrivate(file, authText() + "\n");
    }

    /** What the client sends: {@code user:password}. */
    String authText() {
        return user + ":" + password;
    }

    byte[] authBytes() {
        return authText().getBytes(StandardCharsets.UTF_8);
    }

    /** The identity as ACLs name it: {@code user:base64(sha1(user:password))}. */
    public String digestId() {
        try {
            return DigestAuthenticationProvider.generateDigest(authText());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All rights for this identity, none for anyone else. */
    public List<ACL> acl() {
        // A mutable list: ZooKeeper's client asks it contains(null), which List.of() answers with an NPE.
        return new java.util.ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id(SCHEME, digestId()))));
    }
}
