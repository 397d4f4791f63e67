package dev.pgfly.cli.client;

import dev.pgfly.core.util.Json;
import dev.pgfly.node.api.MemberChecks;
import dev.pgfly.node.api.MemberView;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads members' agents directly (their API address is in the status as {@code api}), all members at
 * once and each with a short timeout, so that one unreachable member costs two seconds, not more.
 */
public final class AgentClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** Every member's checks, in the members' order; an agent that does not answer is critical. */
    public List<MemberChecks> checks(List<MemberView> members) {
        List<CompletableFuture<MemberChecks>> pending = members.stream().map(this::checksOf).toList();
        return pending.stream().map(CompletableFuture::join).toList();
    }

    private CompletableFuture<MemberChecks> checksOf(MemberView m) {
        if (m.api() == null) {
            return CompletableFuture.completedFuture(unreachable(m, "no API address"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(m.api() + "/checks")).timeout(TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> {
                    // 200 (none critical) and 503 (some critical) both carry the report.
                    if (r.statusCode() != 200 && r.statusCode() != 503) {
                        return unreachable(m, "agent answered HTTP " + r.statusCode());
                    }
                    return Json.read(r.body(), MemberChecks.class);
                })
                .exceptionally(e -> unreachable(m, "agent API unreachable at " + m.api()));
    }

    private static MemberChecks unreachable(MemberView m, String why) {
        return new MemberChecks(m.name(), "critical", List.of(new MemberChecks.Check("agent", "critical", why)));
    }
}
