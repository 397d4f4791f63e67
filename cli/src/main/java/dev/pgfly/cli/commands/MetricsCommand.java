package dev.pgfly.cli.commands;

import dev.pgfly.cli.client.DaemonClient;
import dev.pgfly.node.api.ClusterView;
import dev.pgfly.node.api.MemberView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "The cluster's Prometheus scrape targets: every agent's /metrics and the proxy's. "
                + "--json prints them in Prometheus' file_sd format (see deploy/prometheus.yml).")
public final class MetricsCommand extends ClusterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print JSON: a file_sd_configs target list")
    boolean json;

    /** One scrape target in Prometheus' file-based service discovery format. */
    public record Target(List<String> targets, Map<String, String> labels) {
        String url() {
            return "http://" + targets.getFirst() + labels.get("__metrics_path__");
        }
    }

    @Override
    public Integer call() {
        DaemonClient daemon = daemon();
        ClusterView c = daemon.convert(daemon.get(path(name)), ClusterView.class);
        List<Target> targets = targets(c);
        if (json) {
            printJson(targets);
            return 0;
        }
        Table t = new Table("COMPONENT", "MEMBER", "URL");
        for (Target target : targets) {
            t.row(target.labels().get("component"), target.labels().get("member"), target.url());
        }
        System.out.print(t.render());
        return 0;
    }

    static List<Target> targets(ClusterView c) {
        List<Target> targets = new ArrayList<>();
        for (MemberView m : c.members()) {
            if (m.api() != null) {
                targets.add(target(m.api() + "/metrics", "agent", c.name(), m.name()));
            }
        }
        if (c.proxy() != null && c.proxy().metrics() != null) {
            // An installation's cluster has a proxy on every node that runs a member: one target each.
            for (String url : c.proxy().metrics().split(",")) {
                targets.add(target(url, "proxy", c.name(), "proxy"));
            }
        }
        return targets;
    }

    private static Target target(String url, String component, String cluster, String member) {
        URI uri = URI.create(url);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("cluster", cluster);
        labels.put("member", member);
        labels.put("component", component);
        labels.put("__metrics_path__", uri.getPath());
        return new Target(List.of(uri.getHost() + ":" + uri.getPort()), labels);
    }
}
