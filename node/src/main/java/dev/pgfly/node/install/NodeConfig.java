package dev.pgfly.node.install;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pgfly.core.util.Names;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One host's node, as its {@code node.yaml} says (Patroni is configured by a YAML file too; every key is also
 * a flag of {@code pgfly node init|join}). The file holds no secret: the installation's token and store
 * credentials sit beside it in 0600 files.
 *
 * @param name         the node's name, unique in the installation
 * @param address      the address other hosts reach this one at; every listener of the node binds it
 * @param region       where the node is (members of a region's replicas go on that region's nodes)
 * @param zone         a failure domain inside the region; an HA cluster's members spread over zones
 * @param apiPort      the node's API, for the CLI of other hosts and for nodes that join
 * @param clientPort   the embedded ZooKeeper peer's client port
 * @param quorumPort   the peer's quorum port
 * @param electionPort the peer's leader-election port
 * @param witness      votes in the store, holds no member: the third host of a two-member cluster
 * @param store        an external ZooKeeper ensemble ({@code zk://h1:2181,h2:2181/pgfly}); null: embedded peers
 * @param join         the API ({@code HOST:PORT}) of a node of the installation this node joins on its first
 *                     start; null for the first node
 * @param home         the node's state directory (its PGFLY_HOME)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeConfig(String name, String address, String region, String zone, int apiPort, int clientPort,
                         int quorumPort, int electionPort, boolean witness, String store, String join, String home) {
    public static final int DEFAULT_API_PORT = 7432;
    public static final int DEFAULT_CLIENT_PORT = 2181;
    public static final int DEFAULT_QUORUM_PORT = 2888;
    public static final int DEFAULT_ELECTION_PORT = 3888;
    private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}:[0-9]{1,5}");
    /** Keys as Patroni writes them ({@code api_port}); an unknown key is an error, not a silent default. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public NodeConfig {
        region = region == null || region.isBlank() ? "local" : region;
        zone = zone == null || zone.isBlank() ? name : zone;
        apiPort = apiPort > 0 ? apiPort : DEFAULT_API_PORT;
        clientPort = clientPort > 0 ? clientPort : DEFAULT_CLIENT_PORT;
        quorumPort = quorumPort > 0 ? quorumPort : DEFAULT_QUORUM_PORT;
        electionPort = electionPort > 0 ? electionPort : DEFAULT_ELECTION_PORT;
    }

    /** Every value checked, each refusal one line: what is wrong and with which key. */
    public NodeConfig validated() {
        Names.requireNodeName(name);
        Names.requireRegion(region);
        Names.requireZone(zone);
        requireLiteralAddress(address);
        for (int port : new int[]{apiPort, clientPort, quorumPort, electionPort}) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range (1-65535)");
            }
        }
        if (join != null && !ENDPOINT.matcher(join).matches()) {
            throw new IllegalArgumentException("join: '" + join + "' is not HOST:PORT");
        }
        if (store != null && !store.startsWith("zk://")) {
            throw new IllegalArgumentException("store: '" + store + "' is not a zk://HOST:PORT[,HOST:PORT...]/ROOT address");
        }
        return this;
    }

    /** The node's address must be one of this host's own: a node that advertised another host's would take its place. */
    public NodeConfig requireLocalAddress() {
        try {
            InetAddress a = InetAddress.getByName(address);
            if (NetworkInterface.getByInetAddress(a) == null) {
                throw new IllegalArgumentException("address " + address + " is not an address of this host");
            }
        } catch (SocketException | UnknownHostException e) {
            throw new IllegalArgumentException("address " + address + ": " + e.getMessage());
        }
        return this;
    }

    private static void requireLiteralAddress(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("--address is required: the address other hosts reach this node at");
        }
        if (!address.matches("[0-9.]{7,15}|[0-9a-fA-F:]{2,39}")) {
            throw new IllegalArgumentException("address '" + address + "' is not an IP address (use the host's address, not a name)");
        }
        try {
            InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address '" + address + "' is not an IP address");
        }
    }

    public String apiEndpoint() {
        return address + ":" + apiPort;
    }

    public boolean embedsStore() {
        return store == null;
    }

    public NodeConfig withHome(String dir) {
        return new NodeConfig(name, address, region, zone, apiPort, clientPort, quorumPort, electionPort, witness, store, join, dir);
    }

    public static NodeConfig read(Path file) throws IOException {
        try {
            return YAML.readValue(Files.readAllBytes(file), NodeConfig.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not a valid node configuration: " + e.getOriginalMessage());
        }
    }

    public String yaml() {
        return YAML.writeValueAsString(this);
    }
}
