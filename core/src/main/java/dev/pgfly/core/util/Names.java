package dev.pgfly.core.util;

import java.util.regex.Pattern;

/** Validation of names that users give: they end up in paths, ZooKeeper nodes and SQL identifiers. */
public final class Names {
    private static final Pattern CLUSTER = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private Names() {
    }

    public static String requireClusterName(String name) {
        if (name == null || !CLUSTER.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid cluster name '" + name
                    + "': use a lowercase letter followed by up to 62 lowercase letters, digits or '-'");
        }
        return name;
    }

    /** A node's name: like a cluster's, so that it is safe in paths, store nodes and log lines. */
    public static String requireNodeName(String name) {
        if (name == null || !CLUSTER.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid node name '" + name
                    + "': use a lowercase letter followed by up to 62 lowercase letters, digits or '-'");
        }
        return name;
    }

    public static String requireZone(String zone) {
        if (zone == null || !REGION.matcher(zone).matches()) {
            throw new IllegalArgumentException("invalid zone '" + zone
                    + "': use a lowercase letter followed by up to 31 lowercase letters, digits or '-'");
        }
        return zone;
    }

    public static String requireRegion(String region) {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("invalid region '" + region
                    + "': use a lowercase letter followed by up to 31 lowercase letters, digits or '-'");
        }
        return region;
    }

    /** Database and role names: a conservative subset of SQL identifiers that never needs escaping. */
    public static String requireIdentifier(String kind, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + kind + " name '" + name
                    + "': use lowercase letters, digits and '_', starting with a letter or '_', at most 63");
        }
        return name;
    }
}
