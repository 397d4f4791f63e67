package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.concurrent.Callable;

@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Print the cluster's CA certificate (PEM) for clients: with it, sslmode=verify-full checks that"
                + " they reach this cluster, through the proxy too. TLS clusters only.")
public final class CertCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print JSON: cluster, ca_pem, fingerprint_sha256, not_after")
    boolean json;

    @Override
    public Integer call() {
        DaemonClient daemon = daemonToRead();
        JsonNode cert = daemon.get(path(name) + "/cert");
        if (json) {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (String field : new String[] {"cluster", "ca_pem", "fingerprint_sha256", "not_after"}) {
                out.put(field, cert.get(field).asString());
            }
            printJson(out);
        } else {
            System.out.print(cert.get("ca_pem").asString());
        }
        return 0;
    }
}
