package dev.pgfly.node.api;

import java.util.List;

/** A member's health checks as its agent's {@code GET /checks} reports them; {@code status} is the worst. */
public record MemberChecks(String member, String status, List<Check> checks) {

    public record Check(String name, String status, String output) {
    }
}
