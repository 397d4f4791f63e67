package dev.pgfly.proxy;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** {@code GET /metrics} of a registry in Prometheus text format, on a port of its own. */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    public static MetricsServer start(String host, int port, PrometheusRegistry registry) throws IOException {
        dev.pgfly.core.http.HttpCalls.configureJdkServer();
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();
        server.createContext("/metrics", ex -> {
            try (ex) {
                ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
                format.write(body, registry.scrape());
                ex.getResponseHeaders().set("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
                ex.sendResponseHeaders(200, body.size());
                try (OutputStream out = ex.getResponseBody()) {
                    body.writeTo(out);
                }
            }
        });
        server.start();
        return new MetricsServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
