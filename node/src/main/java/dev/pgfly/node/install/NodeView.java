package dev.pgfly.node.install;

import java.util.List;

/**
 * A node in {@code pgfly node list}: its record, whether it is up, and the members it runs ("cluster/member").
 *
 * @param storeState where its ZooKeeper peer stands now ({@code leading}, {@code following}, {@code observing},
 *                   {@code looking}), as the node last published it; empty without a peer or while down
 */
public record NodeView(String name, String address, String region, String zone, boolean up, boolean witness,
                       boolean drained, String storeRole, String storeState, List<String> members, String api) {
}
