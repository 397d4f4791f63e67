package dev.pgfly.testkit.chaos;

import dev.pgfly.testkit.Db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a campaign's workloads left in the database once the last fault healed: every list, and the bank's total. */
record FinalState(Map<Integer, List<Long>> lists, long bankTotal) {

    static FinalState read(String url) throws SQLException {
        Map<Integer, List<Long>> lists = new HashMap<>();
        long total;
        try (Connection c = Db.connect(url, 10); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT k, vals FROM lists")) {
                while (rs.next()) {
                    lists.put(rs.getInt(1), ListAppendWorkload.longs(rs.getArray(2)));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT sum(balance) FROM accounts")) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        return new FinalState(lists, total);
    }
}
