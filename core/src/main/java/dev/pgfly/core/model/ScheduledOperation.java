package dev.pgfly.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.Locale;

/**
 * An operation an operator asked for at a later time ({@code pgfly failover --at}, {@code pgfly restart --at}).
 * It lives in the cluster's {@code scheduled/<kind>} node, not in the memory of the node that took the request,
 * so any node of the installation runs it when it falls due; the one that deletes the node (a conditional
 * delete, see {@code ClusterStore#takeScheduled}) is the one that runs it, so it runs once.
 *
 * @param at          when it falls due (ms since the epoch)
 * @param to          a switchover's target; null: the best replica
 * @param member      a restart of one member only; null: a rolling restart of the cluster
 * @param force       a restart of every member, pending restart or not
 * @param requestedOn the node that took the request, for people
 * @param requestedAt when it was taken (ms since the epoch)
 */
public record ScheduledOperation(Kind kind, long at, String to, String member, boolean force, String requestedOn,
                                 long requestedAt) {

    /** What is scheduled; one of each kind at most per cluster (a new one replaces the old). */
    public enum Kind {
        /** A planned switchover, as {@code pgfly failover} without {@code --at}. */
        SWITCHOVER,
        /** A rolling restart (or one member's), as {@code pgfly restart} without {@code --at}. */
        RESTART;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Kind of(String label) {
            for (Kind k : values()) {
                if (k.label().equals(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no scheduled operation '" + label + "': switchover or restart");
        }
    }

    public ScheduledOperation {
        if (kind == null) {
            throw new IllegalArgumentException("a scheduled operation needs a kind");
        }
        if (kind == Kind.SWITCHOVER && (member != null || force)) {
            throw new IllegalArgumentException("a switchover has a target, not a member or --force");
        }
        if (kind == Kind.RESTART && to != null) {
            throw new IllegalArgumentException("a restart has no target");
        }
    }

    public boolean dueAt(long now) {
        return now >= at;
    }

    /** "switchover to m2 at 2026-12-07T17:00:00Z", for status lines and events. */
    public String describe() {
        String what = switch (kind) {
            case SWITCHOVER -> "switchover to " + (to == null ? "the best replica" : to);
            case RESTART -> (member == null ? "rolling restart" : "restart of " + member) + (force ? " (forced)" : "");
        };
        return what + " at " + Instant.ofEpochMilli(at);
    }
}
