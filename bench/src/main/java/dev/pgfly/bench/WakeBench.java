package dev.pgfly.bench;

import dev.pgfly.testkit.Db;
import dev.pgfly.testkit.Pgfly;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Time from connect to the first query's answer through the proxy, on a scaled-to-zero member (the
 * proxy wakes it) and on a running one. Prints median and max; passes or fails nothing.
 *
 * <p>usage: WakeBench [runs]
 */
public final class WakeBench {
    private WakeBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<Long> cold = new ArrayList<>();
        List<Long> warm = new ArrayList<>();
        try (Pgfly pgfly = new Pgfly()) {
            pgfly.ok("create", "wake", "--scale-to-zero", "--idle-timeout", "2s");
            String url = pgfly.ok("url", "wake").out().strip();
            firstAnswerMillis(url); // warms the JDBC driver's classes in this JVM
            for (int run = 1; run <= runs; run++) {
                awaitIdle(pgfly);
                long c = firstAnswerMillis(url);
                long w = firstAnswerMillis(url);
                cold.add(c);
                warm.add(w);
                System.out.printf("run %d: stopped member %d ms, running member %d ms%n", run, c, w);
            }
        }
        System.out.printf("%nwake bench (%d runs): connect to first answer through the proxy%n", runs);
        System.out.printf("  scaled to zero: median %d ms, max %d ms%n", FailoverBench.median(cold), FailoverBench.max(cold));
        System.out.printf("  running:        median %d ms, max %d ms%n", FailoverBench.median(warm), FailoverBench.max(warm));
    }

    static long firstAnswerMillis(String url) throws Exception {
        long started = System.nanoTime();
        try (Connection c = Db.connect(url, 30); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    static void awaitIdle(Pgfly pgfly) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if ("idle".equals(pgfly.status("wake").get("state").asString())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the member did not scale to zero: " + pgfly.status("wake"));
    }
}
