package dev.pgfly.core.model;

/**
 * What a scaled-to-zero member answered to a wake request: {@code request} echoes the request's value
 * (the proxy's own timestamp), so that a proxy can tell an answer to its clients' request from an
 * older one without comparing clocks of different hosts.
 */
public record WakeAnswer(long request, boolean started, String reason, long at) {
}
