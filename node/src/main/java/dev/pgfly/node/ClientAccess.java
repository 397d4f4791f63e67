package dev.pgfly.node;

import dev.pgfly.core.util.Names;
import dev.pgfly.core.util.Secrets;
import dev.pgfly.core.model.MemberSpec;
import dev.pgfly.node.home.LocalCluster;
import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;
import dev.pgfly.postgres.PgConfig;
import dev.pgfly.postgres.PgLogin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/** How clients reach a cluster: its URLs through the proxies, its CA certificate, and whether a query gets through. */
final class ClientAccess {
    private final PgflyHome home;
    private final ClusterRecords records;
    private final ClusterTls tls;

    private final ThisNode thisNode;

    ClientAccess(PgflyHome home, ClusterRecords records, ClusterTls tls, ThisNode thisNode) {
        this.home = home;
        this.records = records;
        this.tls = tls;
        this.thisNode = thisNode;
    }

    /**
     * Where a single-host URL of a cluster spread over nodes leads: this node's proxy when it runs one (the
     * caller is on this host), else the proxy on the first member's node.
     */
    private String singleHostOf(LocalCluster cluster) {
        return thisNode.runsProxyOf(cluster) ? thisNode.address() : cluster.spec().members().getFirst().host();
    }

    /**
     * The hosts whose proxies a multi-host URL of an installation's cluster names: every node that runs a member,
     * or for {@code region} (null: all) the nodes of that region's members, whose proxies prefer its replicas
     * ({@link ThisNode#proxyRegion}).
     */
    static List<String> proxyHosts(LocalCluster cluster, String region) {
        List<String> hosts = cluster.spec().members().stream()
                .filter(m -> region == null || region.equals(m.region())).map(MemberSpec::host).distinct().toList();
        if (hosts.isEmpty()) {
            throw noMemberIn(cluster, region);
        }
        return hosts;
    }

    private static IllegalArgumentException noMemberIn(LocalCluster cluster, String region) {
        Set<String> regions = new java.util.TreeSet<>();
        cluster.spec().members().forEach(m -> regions.add(m.region()));
        return new IllegalArgumentException("cluster '" + cluster.spec().name() + "' has no member in region '"
                + region + "' (regions: " + String.join(", ", regions) + ")");
    }

    /** The URL through the proxy of {@code region} (null: the primary region's). */
    String url(String name, boolean replica, String database, String region) throws IOException {
        return url(name, replica, database, region, false);
    }

    /**
     * As above; {@code singleHost}: one proxy only, for clients that cannot read a multi-host URL (they lose
     * the cluster with that host, and must be given another host's URL then).
     */
    String url(String name, boolean replica, String database, String region, boolean singleHost) throws IOException {
        LocalCluster cluster = records.load(name);
        int proxyPort = cluster.spec().proxyPort();
        if (region != null) {
            Names.requireRegion(region);
        }
        // A region's own proxy where the cluster has one (one host, or a cluster adopted from one); in an
        // installation otherwise, the proxies of that region's nodes prefer its replicas (proxyHosts below).
        if (region != null && !region.equals(cluster.spec().primaryRegion())
                && (!cluster.spansNodes() || cluster.regionProxies().containsKey(region))) {
            Integer regional = cluster.regionProxies().get(region);
            if (regional == null) {
                throw noMemberIn(cluster, region);
            }
            proxyPort = regional;
        }
        Secrets secrets = Secrets.readFrom(home.secretsDir(name));
        int port = replica ? proxyPort + 1 : proxyPort;
        String db = Names.requireIdentifier("database", database == null ? "postgres" : database);
        if (cluster.spansNodes() && singleHost) {
            return "postgres://" + PgConfig.SUPERUSER + ":" + secrets.superuserPassword() + "@" + singleHostOf(cluster)
                    + ":" + port + "/" + db;
        }
        if (cluster.spansNodes()) {
            // Every node that runs a member runs a proxy: libpq, PgJDBC and psycopg try each host in turn,
            // and read-write makes them skip one that leads to no primary.
            String hosts = proxyHosts(cluster, region).stream().map(h -> h + ":" + port)
                    .collect(java.util.stream.Collectors.joining(","));
            // connect_timeout: a host that is cut off answers nothing, so each try of it costs this long.
            return "postgres://" + PgConfig.SUPERUSER + ":" + secrets.superuserPassword() + "@" + hosts + "/" + db
                    + "?connect_timeout=3" + (replica ? "" : "&target_session_attrs=read-write");
        }
        return "postgres://" + PgConfig.SUPERUSER + ":" + secrets.superuserPassword() + "@" + cluster.spec().proxyHost()
                + ":" + port + "/" + db;
    }

    /**
     * The URL of {@link #url(String, boolean, String, String)} with {@code sslmode=verify-full} and the
     * cluster's CA as {@code sslrootcert}, for psql and other libpq clients on this host; null when
     * the cluster has no TLS.
     */
    String verifyUrl(String name, boolean replica, String database, String region) throws IOException {
        return verifyUrl(name, replica, database, region, false);
    }

    String verifyUrl(String name, boolean replica, String database, String region, boolean singleHost) throws IOException {
        LocalCluster cluster = records.load(name);
        if (!cluster.spec().tls()) {
            return null;
        }
        String url = url(name, replica, database, region, singleHost);
        return url + (url.contains("?") ? "&" : "?") + "sslmode=verify-full&sslrootcert="
                + queryValue(tls.publicCaFile(name).toString());
    }

    /**
     * The URL through the cluster's PgBouncer (one per proxy): like {@link #url} with the pooled port;
     * {@code verify} adds {@code sslmode=verify-full} and the CA (null for a cluster without TLS).
     */
    String pooledUrl(String name, String database, boolean singleHost, boolean verify) throws IOException {
        LocalCluster cluster = records.load(name);
        dev.pgfly.core.model.PoolerSpec pooler = cluster.spec().pooler();
        if (pooler == null) {
            throw new IllegalStateException("cluster '" + name + "' has no pooler: turn it on with 'pgfly config update "
                    + name + " --pooler transaction'");
        }
        if (verify && !cluster.spec().tls()) {
            return null;
        }
        Secrets secrets = Secrets.readFrom(home.secretsDir(name));
        String db = Names.requireIdentifier("database", database == null ? "postgres" : database);
        int port = pooler.port();
        String hosts;
        String query = "";
        if (cluster.spansNodes() && !singleHost) {
            hosts = cluster.spec().members().stream().map(m -> m.host() + ":" + port).distinct()
                    .collect(java.util.stream.Collectors.joining(","));
            query = "?connect_timeout=3&target_session_attrs=read-write";
        } else {
            hosts = (cluster.spansNodes() ? singleHostOf(cluster) : cluster.spec().proxyHost()) + ":" + port;
        }
        String url = "postgres://" + PgConfig.SUPERUSER + ":" + secrets.superuserPassword() + "@" + hosts + "/" + db + query;
        return verify ? url + (url.contains("?") ? "&" : "?") + "sslmode=verify-full&sslrootcert="
                + queryValue(tls.publicCaFile(name).toString()) : url;
    }

    /** A URL query value: a file path stays readable (slashes kept), anything else is percent-encoded. */
    static String queryValue(String value) {
        return java.util.Arrays.stream(value.split("/", -1))
                .map(part -> java.net.URLEncoder.encode(part, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(java.util.stream.Collectors.joining("/"));
    }

    /** The cluster's CA certificate for clients ({@code pgfly cert}). */
    Map<String, Object> certificate(String name) throws IOException {
        LocalCluster cluster = records.load(name);
        if (!cluster.spec().tls()) {
            throw new IllegalStateException("cluster '" + name + "' does not use TLS (create a cluster with --tls)");
        }
        Path file = dev.pgfly.core.tls.TlsFiles.caCertificate(home.secretsDir(name));
        if (!Files.exists(file)) {
            throw new IllegalStateException("cluster '" + name + "' has TLS on but no CA certificate in " + file.getParent());
        }
        String pem = Files.readString(file);
        java.security.cert.X509Certificate ca = dev.pgfly.core.tls.ClusterCa.parseCertificate(pem);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("cluster", name);
        answer.put("ca_pem", pem);
        answer.put("fingerprint_sha256", dev.pgfly.core.tls.ClusterCa.fingerprintSha256(ca));
        answer.put("not_after", ca.getNotAfter().toInstant().toString());
        answer.put("file", tls.publicCaFile(name).toString());
        return answer;
    }

    /** Whether the primary answers a query through the cluster's proxy, as a client would send it. */
    boolean queryThroughProxy(LocalCluster cluster) {
        try {
            Secrets secrets = Secrets.readFrom(home.secretsDir(cluster.spec().name()));
            Properties p = PgLogin.properties(PgConfig.SUPERUSER, secrets.superuserPassword());
            p.setProperty("connectTimeout", "2");
            p.setProperty("ApplicationName", "pgfly-daemon");
            p.setProperty("socketTimeout", "5");
            // With TLS, the daemon checks what clients will: the member's certificate, through the proxy.
            ClusterTls.clientTls(home, cluster.spec()).addTo(p);
            String url = "jdbc:postgresql://" + cluster.spec().proxyHost() + ":" + cluster.spec().proxyPort() + "/postgres";
            try (Connection c = PgLogin.connect(url, p); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (Exception e) {
            Optional<String> refusal = PgLogin.refusal(e);
            if (refusal.isPresent()) {
                // Not a member behind pgfly's proxy (their pg_hba.conf says SCRAM): something else holds the
                // port. Waiting would not help; say so now (the password was not sent).
                throw new IllegalStateException("cluster '" + cluster.spec().name() + "': the server on "
                        + cluster.spec().proxyHost() + ":" + cluster.spec().proxyPort() + " is not its proxy: "
                        + refusal.get());
            }
            return false;
        }
    }
}
