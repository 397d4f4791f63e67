package dev.pgfly.agent.ha;

import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.core.model.MemberStatus;
import dev.pgfly.core.util.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Asks other members' agents for their live status (fresh WAL positions, not the store's copy). */
final class PeerClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(800)).build();

    Optional<MemberStatus> status(MemberSpec peer) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(peer.apiUrl() + "/status"))
                    .timeout(Duration.ofMillis(1500)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? Optional.of(Json.read(r.body(), MemberStatus.class)) : Optional.empty();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }
    }
}
