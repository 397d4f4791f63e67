package dev.pgfly.core.model;

/** One entry of a cluster's history: failovers, switchovers, rejoins, membership changes. */
public record Event(long time, String kind, String member, long term, String reason) {
}
