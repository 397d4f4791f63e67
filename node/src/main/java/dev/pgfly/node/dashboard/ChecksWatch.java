package dev.pgfly.node.dashboard;

import dev.pgfly.core.util.Json;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberChecks;
import dev.pgfly.node.api.MemberView;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every member's health checks, asked of its agent ({@code GET /checks}, as {@code pgfly status} does) in
 * the background every few seconds: the page's one-second poll reads the last answers and never waits on
 * an agent that does not answer.
 */
final class ChecksWatch {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    /** cluster/member to its checks */
    private final Map<String, MemberChecks> latest = new ConcurrentHashMap<>();

    void refresh(List<ClusterView> clusters) {
        List<CompletableFuture<Void>> pending = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ClusterView c : clusters) {
            for (MemberView m : c.members()) {
                String key = c.name() + "/" + m.name();
                seen.add(key);
                if ("stopped".equals(c.state()) || m.api() == null) {
                    latest.remove(key);
                    continue;
                }
                pending.add(ask(m).thenAccept(checks -> latest.put(key, checks)));
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        latest.keySet().retainAll(seen);
    }

    /** The cluster's members with their worst check, as {@code pgfly status} fills it in (null: not known yet). */
    ClusterView withChecks(ClusterView c) {
        return c.withMembers(c.members().stream().map(m -> {
            MemberChecks checks = latest.get(c.name() + "/" + m.name());
            return checks == null ? m : m.withChecks(checks.status());
        }).toList());
    }

    /** The failing checks by member ("member: check: output"), for the page to show what is wrong. */
    List<String> failing(ClusterView c) {
        List<String> out = new java.util.ArrayList<>();
        for (MemberView m : c.members()) {
            MemberChecks checks = latest.get(c.name() + "/" + m.name());
            if (checks != null && checks.checks() != null) {
                checks.checks().stream().filter(k -> !"passing".equals(k.status()))
                        .forEach(k -> out.add(m.name() + ": " + k.name() + " " + k.status()
                                + (k.output() == null || k.output().isBlank() ? "" : ": " + k.output())));
            }
        }
        return out;
    }

    private CompletableFuture<MemberChecks> ask(MemberView m) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(m.api() + "/checks")).timeout(TIMEOUT).GET().build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .thenApply(r -> r.statusCode() == 200 || r.statusCode() == 503 ? Json.read(r.body(), MemberChecks.class)
                            : unreachable(m, "agent answered HTTP " + r.statusCode()))
                    .exceptionally(e -> unreachable(m, "agent API unreachable at " + m.api()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(unreachable(m, "no usable API address"));
        }
    }

    private static MemberChecks unreachable(MemberView m, String why) {
        return new MemberChecks(m.name(), "critical", List.of(new MemberChecks.Check("agent", "critical", why)));
    }
}
