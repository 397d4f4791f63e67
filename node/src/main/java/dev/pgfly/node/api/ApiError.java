package dev.pgfly.node.api;

/** The body of every failed daemon API call: one line a user can act on. */
public record ApiError(String error) {
}
