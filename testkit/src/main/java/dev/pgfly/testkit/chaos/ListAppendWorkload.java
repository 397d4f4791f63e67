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
 *
 * <p>Keys come in generations of {@link #KEYS}, as in Jepsen's list-append: after
 * {@link #APPENDS_PER_GENERATION} values the workload moves to fresh keys. Lists stay short (a
 * couple of hundred values), so a long run does not turn into rewriting ever larger arrays (a
 * 200-round run with six keys for ever reached lists of 7,000 values and a 480 MB table by round 30,
 * and slowed every rewind and catch-up with it).
 */
final class ListAppendWorkload extends Workload {
    static final int KEYS = 6;
    static final int APPENDS_PER_GENERATION = 600;
    private final AtomicLong nextValue = new AtomicLong(1);
    private final SharedPrefixes reads = new SharedPrefixes();

    ListAppendWorkload(String url, History history) {
        super(url, history);
    }

    @Override
    void setUp(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS lists (k int PRIMARY KEY, vals bigint[] NOT NULL DEFAULT '{}')");
        }
    }

    /** The first key of the generation a value belongs to (keys are first .. first + KEYS - 1). */
    static int firstKey(long value) {
        return (int) (value / APPENDS_PER_GENERATION) * KEYS + 1;
    }

    @Override
    void step(int client, Connection c, Random random) throws SQLException {
        long invoked = System.currentTimeMillis();
        if (random.nextInt(3) == 0) {
            Map<Integer, List<Long>> read = new HashMap<>();
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(10);
                c.setAutoCommit(true);
                // The current generation's keys and the one before, which may still take appends in flight.
                int first = Math.max(1, firstKey(nextValue.get()) - KEYS);
                try (ResultSet rs = st.executeQuery("SELECT k, vals FROM lists WHERE k BETWEEN " + first + " AND "
                        + (first + 2 * KEYS - 1))) {
                    while (rs.next()) {
                        int k = rs.getInt(1);
                        read.put(k, reads.share(k, longs(rs.getArray(2))));
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
        int k1 = random.nextInt(KEYS);
        int k2 = (k1 + 1 + random.nextInt(KEYS - 1)) % KEYS;
        k1 += firstKey(value);
        k2 += firstKey(value);
        // Lock in key order: two transactions on the same pair never deadlock.
        List<Integer> keys = List.of(Math.min(k1, k2), Math.max(k1, k2));
        boolean commitSent = false;
        try {
            c.setAutoCommit(false);
            // An upsert: a fresh key's first append creates its row; either way it takes the row lock.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO lists AS l (k, vals) VALUES (?, ARRAY[?]::bigint[])"
                    + " ON CONFLICT (k) DO UPDATE SET vals = l.vals || EXCLUDED.vals")) {
                ps.setQueryTimeout(10);
                for (int k : keys) {
                    ps.setInt(1, k);
                    ps.setLong(2, value);
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
