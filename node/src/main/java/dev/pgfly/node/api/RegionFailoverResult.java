package dev.pgfly.node.api;

/**
 * What {@code pgfly failover --allow-other-region} did.
 *
 * @param replayedTo the WAL position the new primary had replayed: the former primary's commits after it are lost
 */
public record RegionFailoverResult(String primary, String formerRegion, String primaryRegion, long term, String replayedTo) {
}
