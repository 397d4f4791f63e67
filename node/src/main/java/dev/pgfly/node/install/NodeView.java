package dev.pgfly.node.install;

import java.util.List;

/** A node in {@code pgfly node list}: its record, whether it is up, and the members it runs ("cluster/member"). */
public record NodeView(String name, String address, String region, String zone, boolean up, boolean witness,
                       boolean drained, String storeRole, List<String> members, String api) {
}
