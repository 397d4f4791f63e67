package dev.pgfly.testkit.chaos;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Transactions append one unique value to two keys at once; reads fetch every key's list in one
 * statement. Appends take the key's row lock, so a list's order is its commit order: every read
 * must be a prefix of the final list, and a transaction's value is in both of its keys or neither.
 */
final class ListAppendWorkload extends Workload {
    static final int KEYS = 6;
    private final AtomicLong nextValue = new AtomicLong(1);

    ListAppendWorkload(String url, History history) {
        super(url, history);
    }

    @Override
    void setUp(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS lists (k int PRIMARY KEY, vals bigint[] NOT NULL DEFAULT '{}')");
            st.execute("INSERT INTO lists (k) SELECT g FROM generate_series(1, " + KEYS + ") g ON CONFLICT DO NOTHING");
        }
    }

    @Override
    void step(int client, Connection c, Random random) throws SQLException {
        long invoked = System.currentTimeMillis();
        if (random.nextInt(3) == 0) {
            Map<Integer, List<Long>> read = new HashMap<>();
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(10);
                c.setAutoCommit(true);
                try (ResultSet rs = st.executeQuery("SELECT k, vals FROM lists")) {
                    while (rs.next()) {
                        read.put(rs.getInt(1), longs(rs.getArray(2)));
                    }
                }
                history.add(Op.listRead(client, invoked, System.currentTimeMillis(), Op.Outcome.OK, read));
            } catch (SQLException e) {
                history.add(Op.listRead(client, invoked, System.currentTimeMillis(), Op.Outcome.FAILED, Map.of()));
                throw e;
            }
            return;
        }
        long value = nextValue.getAndIncrement();
        int k1 = 1 + random.nextInt(KEYS);
        int k2 = 1 + (k1 + random.nextInt(KEYS - 1)) % KEYS;
        // Lock in key order: two transactions on the same pair never deadlock.
        List<Integer> keys = List.of(Math.min(k1, k2), Math.max(k1, k2));
        boolean commitSent = false;
        try {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE lists SET vals = vals || ? WHERE k = ?")) {
                ps.setQueryTimeout(10);
                for (int k : keys) {
                    ps.setLong(1, value);
                    ps.setInt(2, k);
                    ps.executeUpdate();
                }
            }
            commitSent = true;
            c.commit();
            history.add(Op.append(client, invoked, System.currentTimeMillis(), Op.Outcome.OK, value, keys));
        } catch (SQLException e) {
            history.add(Op.append(client, invoked, System.currentTimeMillis(), Outcomes.of(e, commitSent), value, keys));
            throw e;
        }
    }

    static List<Long> longs(Array array) throws SQLException {
        Object raw = array.getArray();
        List<Long> out = new ArrayList<>();
        if (raw instanceof Long[] boxed) {
            out.addAll(Arrays.asList(boxed));
        } else if (raw instanceof long[] prim) {
            for (long v : prim) {
                out.add(v);
            }
        }
        return out;
    }
}
