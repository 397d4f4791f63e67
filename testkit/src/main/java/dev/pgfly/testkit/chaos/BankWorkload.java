package dev.pgfly.testkit.chaos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * Transfers between accounts in transactions, and reads of the total in one statement (one
 * snapshot). Whatever fails, the total never changes and no read sees half a transfer.
 */
final class BankWorkload extends Workload {
    static final int ACCOUNTS = 8;
    static final long INITIAL = 1000;
    static final long TOTAL = ACCOUNTS * INITIAL;

    BankWorkload(String url, History history) {
        super(url, history);
    }

    @Override
    void setUp(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
            st.execute("INSERT INTO accounts SELECT g, " + INITIAL + " FROM generate_series(1, " + ACCOUNTS + ") g"
                    + " ON CONFLICT DO NOTHING");
        }
    }

    @Override
    void step(int client, Connection c, Random random) throws SQLException {
        long invoked = System.currentTimeMillis();
        if (random.nextInt(3) == 0) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(10);
                try (ResultSet rs = st.executeQuery("SELECT sum(balance) FROM accounts")) {
                    rs.next();
                    history.add(Op.balanceRead(client, invoked, System.currentTimeMillis(), Op.Outcome.OK, rs.getLong(1)));
                }
            } catch (SQLException e) {
                history.add(Op.balanceRead(client, invoked, System.currentTimeMillis(), Op.Outcome.FAILED, 0));
                throw e;
            }
            return;
        }
        int from = 1 + random.nextInt(ACCOUNTS);
        int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + random.nextInt(50);
        boolean commitSent = false;
        try {
            c.setAutoCommit(false);
            try (PreparedStatement debit = c.prepareStatement("UPDATE accounts SET balance = balance - ? WHERE id = ?");
                 PreparedStatement credit = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                debit.setQueryTimeout(10);
                credit.setQueryTimeout(10);
                debit.setLong(1, amount);
                debit.setInt(2, from);
                debit.executeUpdate();
                credit.setLong(1, amount);
                credit.setInt(2, to);
                credit.executeUpdate();
            }
            commitSent = true;
            c.commit();
            history.add(Op.transfer(client, invoked, System.currentTimeMillis(), Op.Outcome.OK));
        } catch (SQLException e) {
            history.add(Op.transfer(client, invoked, System.currentTimeMillis(), Outcomes.of(e, commitSent)));
            throw e;
        }
    }
}
