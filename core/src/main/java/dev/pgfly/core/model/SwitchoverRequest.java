package dev.pgfly.core.model;

/** A planned hand-over requested by an operator; {@code to} may be null for "the best replica". */
public record SwitchoverRequest(String from, String to, long requestedAt) {
}
