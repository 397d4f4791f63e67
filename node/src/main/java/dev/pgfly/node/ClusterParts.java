package dev.pgfly.node;

import dev.pgfly.node.home.PgflyHome;
import dev.pgfly.node.tls.ClusterTls;

/**
 * What the node's cluster operations (lifecycle, membership, maintenance) share: the home, the records
 * on disk, the per-cluster locks, the coordination stores, address and port allocation, supervision of
 * the children, the status views, readiness and the cluster's TLS material. One value, so that each
 * operation takes it whole instead of repeating the same nine collaborators.
 */
record ClusterParts(PgflyHome home, ClusterRecords records, ClusterLocks locks, ClusterStores stores,
                    Allocation allocation, Supervision supervision, ClusterViews views, Readiness readiness,
                    ClusterTls tls, ThisNode thisNode) {
}
