package dev.pgfly.node.admin;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An app attached to a cluster: its own database and a login role that owns it. Recorded as the
 * comment of the role, so that the record lives in the database itself, is replicated and backed
 * up with it, and vanishes with the role.
 */
public record Attachment(String app, String user, String database) {
    private static final Pattern COMMENT = Pattern.compile("pgfly attachment: app=([a-z][a-z0-9_-]*) database=([a-z_][a-z0-9_]*)");

    public Attachment {
        SqlNames.requireApp(app);
        SqlNames.requireUser(user);
        SqlNames.requireDatabase(database);
    }

    public String comment() {
        return "pgfly attachment: app=" + app + " database=" + database;
    }

    /** The attachment a role's comment records, if any. */
    public static Optional<Attachment> fromComment(String user, String comment) {
        if (comment == null) {
            return Optional.empty();
        }
        Matcher m = COMMENT.matcher(comment);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Attachment(m.group(1), user, m.group(2)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
