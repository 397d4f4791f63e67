package dev.pgfly.testkit.chaos;

import java.sql.SQLException;

/** How a failed JDBC call ended, seen from the client: definitely not applied, or unknown. */
final class Outcomes {
    private Outcomes() {
    }

    /**
     * Before the commit was sent, any error means the transaction did not happen. While it was in
     * flight, a broken connection (class 08, or an admin shutdown 57P) leaves it unknown; an error
     * PostgreSQL reported (a conflict, a read-only server) means it was rolled back.
     */
    static Op.Outcome of(SQLException e, boolean commitSent) {
        if (!commitSent) {
            return Op.Outcome.FAILED;
        }
        String state = e.getSQLState();
        if (state == null || state.startsWith("08") || state.startsWith("57P")) {
            return Op.Outcome.UNKNOWN;
        }
        return Op.Outcome.FAILED;
    }
}
