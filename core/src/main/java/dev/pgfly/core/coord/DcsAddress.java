package dev.pgfly.core.coord;

/**
 * A coordination store address as users write it: {@code zk://h1:2181,h2:2181/pgfly}.
 * The path is the root under which every cluster lives.
 */
public record DcsAddress(String connectString, String root) {

    public static DcsAddress parse(String uri) {
        if (uri == null || !uri.startsWith("zk://")) {
            throw new IllegalArgumentException("unsupported coordination store '" + uri + "': expected zk://host:port[,host:port]/root");
        }
        String rest = uri.substring("zk://".length());
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String root = slash < 0 ? "/pgfly" : rest.substring(slash);
        if (hosts.isBlank()) {
            throw new IllegalArgumentException("coordination store address has no host: " + uri);
        }
        if (root.equals("/") || root.isBlank()) {
            root = "/pgfly";
        }
        return new DcsAddress(hosts, root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    }

    @Override
    public String toString() {
        return "zk://" + connectString + root;
    }
}
