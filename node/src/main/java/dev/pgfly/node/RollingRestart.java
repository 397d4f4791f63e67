package dev.pgfly.node;

import dev.pgfly.core.coord.ClusterStore;
import dev.pgfly.core.model.LeaderRecord;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.model.Role;
import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.admin.RestartPlan;
import dev.pgfly.node.api.RestartResult;
import dev.pgfly.node.home.LocalCluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A rolling restart (see {@link RestartPlan} for the order): each member's agent restarts its own
 * PostgreSQL on request, and each step waits until the member serves again (a replica streams, a
 * primary leads) before the next one begins. The first failure stops the restart, so a setting
 * PostgreSQL cannot start with stops at the first replica and never reaches the primary.
 *
 * <p>An upgrade ({@link #upgrade}) walks the same order over every member, but each step replaces the
 * member's agent (and with it its PostgreSQL) by one started from new binaries.
 */
final class RollingRestart {
    private static final long MEMBER_TIMEOUT_MILLIS = 180_000;

    /** What the restart needs from the cluster manager (which holds the cluster's lock meanwhile). */
    interface Cluster {
        LocalCluster cluster();

        ClusterStore store();

        Secrets secrets() throws IOException;

        /** How the daemon's own SQL sessions reach the members (verify-full when the cluster has TLS). */
        dev.pgfly.postgres.PgTls tls();

        String switchover() throws Exception;

        void record(String kind, String member, String reason);
    }

    /** Restarts one member's PostgreSQL somehow; answers the PostgreSQL pid it replaced. */
    interface MemberRestart {
        long restart(MemberSpec member, boolean isPrimary) throws Exception;
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Cluster c;
    private final MemberRestart restarter;
    /** The event kind per member, and whether a switchover's own restart of the former primary is enough. */
    private final String event;
    private final boolean handoverRestartSuffices;
    /** The primary as the steps go (a switchover changes it). */
    private String primary;

    RollingRestart(Cluster c) {
        this.c = c;
        this.restarter = this::askAgentToRestart;
        this.event = "restart";
        this.handoverRestartSuffices = true;
    }

    private RollingRestart(Cluster c, MemberRestart restarter, String event) {
        this.c = c;
        this.restarter = restarter;
        this.event = event;
        this.handoverRestartSuffices = false;
    }

    /**
     * Every member restarted by {@code restarter} (which replaces its agent) in {@link RestartPlan}'s order:
     * replicas, switchover, former primary. The caller has checked the binaries and saved them.
     */
    static RestartResult upgrade(Cluster c, MemberRestart restarter, String pgBin) throws Exception {
        RollingRestart upgrade = new RollingRestart(c, restarter, "upgrade");
        List<String> members = c.cluster().spec().members().stream().map(MemberSpec::name).toList();
        String primary = upgrade.requirePrimary();
        List<RestartResult.Step> done = upgrade.execute(
                RestartPlan.plan(members, primary, new LinkedHashSet<>(members), false), primary);
        c.record("upgrade", null, "PostgreSQL binaries switched to " + pgBin + ": "
                + String.join(", ", done.stream().map(RestartResult.Step::action).toList()));
        return new RestartResult(done, upgrade.primary, null);
    }

    private String requirePrimary() {
        LocalCluster cluster = c.cluster();
        String name = cluster.spec().name();
        if (!cluster.running()) {
            throw new IllegalStateException("cluster '" + name + "' is stopped: start it first");
        }
        return c.store().leader().filter(LeaderRecord::ready).map(LeaderRecord::member)
                .orElseThrow(() -> new IllegalStateException("cluster '" + name + "' has no primary right now"));
    }

    RestartResult run(boolean force, String onlyMember) throws Exception {
        LocalCluster cluster = c.cluster();
        String name = cluster.spec().name();
        if (onlyMember != null && cluster.spec().member(onlyMember).isEmpty()) {
            throw new IllegalArgumentException("cluster '" + name + "' has no member '" + onlyMember + "'");
        }
        String primary = requirePrimary();
        String password = c.secrets().superuserPassword();
        Set<String> pending = new LinkedHashSet<>();
        List<String> lowered = List.of();
        for (MemberSpec m : cluster.spec().members()) {
            try (MemberSql sql = MemberSql.open(m, password, c.tls())) {
                if (!sql.pendingRestart().isEmpty()) {
                    pending.add(m.name());
                }
                if (m.name().equals(primary)) {
                    lowered = sql.loweredIntegers(RestartPlan.STANDBY_MINIMUMS);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("member " + m.name() + " is not reachable (" + e.getMessage()
                        + "): a rolling restart needs every member healthy");
            }
        }
        Set<String> targets = onlyMember != null ? Set.of(onlyMember)
                : force ? new LinkedHashSet<>(cluster.spec().members().stream().map(MemberSpec::name).toList())
                : pending;
        List<RestartPlan.Step> plan = RestartPlan.plan(cluster.spec().members().stream().map(MemberSpec::name).toList(),
                primary, targets, !lowered.isEmpty());
        if (plan.isEmpty()) {
            return new RestartResult(List.of(), primary,
                    "no member has a pending restart: nothing to do (--force restarts every member)");
        }
        List<RestartResult.Step> done = execute(plan, primary);
        c.record("restart", null, "rolling restart: " + String.join(", ", done.stream().map(RestartResult.Step::action).toList()));
        return new RestartResult(done, this.primary, lowered.isEmpty() ? null
                : "lowered " + String.join(", ", lowered) + ": the primary was restarted first");
    }

    /** Runs the plan step by step; {@link #primary} is the primary at the end. */
    private List<RestartResult.Step> execute(List<RestartPlan.Step> plan, String initialPrimary) throws Exception {
        primary = initialPrimary;
        List<RestartResult.Step> done = new ArrayList<>();
        long formerPrimaryPid = 0;
        for (RestartPlan.Step step : plan) {
            long started = System.currentTimeMillis();
            switch (step.kind()) {
                case RESTART_REPLICA -> restartMember(step.member(), false);
                case RESTART_PRIMARY_IN_PLACE -> restartMember(step.member(), true);
                case SWITCHOVER -> {
                    formerPrimaryPid = status(step.member()).map(MemberStatus::postgresPid).orElse(0L);
                    primary = c.switchover();
                }
                case RESTART_FORMER_PRIMARY -> {
                    // The handover itself stops the former primary and starts it as a replica: a restart.
                    MemberStatus s = awaitServing(step.member(), 0, false);
                    if (!handoverRestartSuffices || s.postgresPid() == formerPrimaryPid) {
                        restartMember(step.member(), false);
                    }
                }
            }
            done.add(new RestartResult.Step(step.toString().replace("restart", event), step.member(),
                    System.currentTimeMillis() - started));
        }
        return done;
    }

    private void restartMember(String member, boolean isPrimary) throws Exception {
        MemberSpec m = c.cluster().spec().member(member).orElseThrow();
        long before = restarter.restart(m, isPrimary);
        awaitServing(member, before, isPrimary);
        c.record(event, member, (event.equals("upgrade") ? "PostgreSQL restarted from " + c.cluster().pgBin()
                : "PostgreSQL restarted") + (isPrimary ? " in place (primary)" : ""));
    }

    private long askAgentToRestart(MemberSpec m, boolean isPrimary) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(m.apiUrl() + "/restart" + (isPrimary ? "?primary=true" : "")))
                .timeout(Duration.ofMinutes(3))
                .header("Authorization", "Bearer " + c.secrets().token())
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        var body = Json.MAPPER.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("member " + m.name() + " refused to restart: "
                    + (body.has("error") ? body.get("error").asString() : "HTTP " + r.statusCode()));
        }
        return body.get("postgres_pid").asLong();
    }

    /** Until the member runs a PostgreSQL other than {@code previousPid} and serves: a primary leads, a replica streams. */
    private MemberStatus awaitServing(String member, long previousPid, boolean asPrimary) throws InterruptedException {
        long deadline = System.currentTimeMillis() + MEMBER_TIMEOUT_MILLIS;
        Optional<MemberStatus> last = Optional.empty();
        while (System.currentTimeMillis() < deadline) {
            last = status(member);
            if (last.isPresent()) {
                MemberStatus s = last.get();
                boolean serving = asPrimary
                        ? s.role() == Role.PRIMARY && c.store().leader().map(l -> l.member().equals(member) && l.ready()).orElse(false)
                        : s.role() == Role.REPLICA && s.streaming();
                if (s.postgresPid() > 0 && s.postgresPid() != previousPid && s.state().isRunning() && serving) {
                    return s;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("member " + member + " did not serve again within " + MEMBER_TIMEOUT_MILLIS / 1000
                + " s (" + last.map(s -> s.state() + (s.detail() == null ? "" : ": " + s.detail())).orElse("no status") + "); the " + event + " stopped there. See its "
                + (event.equals("upgrade") ? "postgres.log and agent.log; fix the binaries and run 'pgfly upgrade' again"
                : "postgres.log; fix the setting with 'pgfly config update' and run 'pgfly restart' again"));
    }

    private Optional<MemberStatus> status(String member) {
        return c.store().members().stream().filter(s -> s.name().equals(member)).findFirst();
    }
}
