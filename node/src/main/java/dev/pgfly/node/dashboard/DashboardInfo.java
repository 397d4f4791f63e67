package dev.pgfly.node.dashboard;

import dev.pgfly.core.util.Json;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.node.home.PgflyHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code daemon/dashboard.json}: where the running node serves its dashboard, for {@code pgfly dashboard --url}.
 * It is removed when the node stops.
 *
 * @param caFile the CA certificate that signed the dashboard's certificate (for a browser to trust)
 */
public record DashboardInfo(long pid, String address, int port, String caFile) {

    public static Path file(PgflyHome home) {
        return home.daemonDir().resolve("dashboard.json");
    }

    public static Optional<DashboardInfo> read(PgflyHome home) {
        try {
            Path f = file(home);
            return Files.exists(f) ? Optional.of(Json.read(Files.readAllBytes(f), DashboardInfo.class)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void write(PgflyHome home) throws IOException {
        Secrets.writePrivate(file(home), Json.text(this));
    }

    /** The page's address: {@code https://ADDRESS:PORT/} (an IPv6 literal in brackets). */
    public String pageUrl() {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return "https://" + host + ":" + port + "/";
    }

    /** The link that logs a browser in with a short-lived {@code token} (see {@link LoginTokens}). */
    public String loginUrl(String token) {
        return pageUrl() + "login?token=" + token;
    }
}
