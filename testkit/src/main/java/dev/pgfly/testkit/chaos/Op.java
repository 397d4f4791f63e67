package dev.pgfly.testkit.chaos;

import java.util.List;
import java.util.Map;

/**
 * One operation as a client saw it: when it was invoked and completed, and how it ended. An
 * {@link Outcome#UNKNOWN} operation may or may not have taken effect (the connection broke while the
 * commit was in flight), so a checker may neither count it as lost nor as forbidden.
 */
public record Op(int client, Kind kind, long invokedAt, long completedAt, Outcome outcome,
                 long value, List<Integer> keys, Map<Integer, List<Long>> read, long readTotal) {

    public enum Kind { TRANSFER, BALANCE_READ, APPEND, LIST_READ }

    public enum Outcome { OK, FAILED, UNKNOWN }

    static Op append(int client, long invokedAt, long completedAt, Outcome outcome, long value, List<Integer> keys) {
        return new Op(client, Kind.APPEND, invokedAt, completedAt, outcome, value, List.copyOf(keys), Map.of(), 0);
    }

    static Op listRead(int client, long invokedAt, long completedAt, Outcome outcome, Map<Integer, List<Long>> read) {
        return new Op(client, Kind.LIST_READ, invokedAt, completedAt, outcome, 0, List.of(), Map.copyOf(read), 0);
    }

    static Op transfer(int client, long invokedAt, long completedAt, Outcome outcome) {
        return new Op(client, Kind.TRANSFER, invokedAt, completedAt, outcome, 0, List.of(), Map.of(), 0);
    }

    static Op balanceRead(int client, long invokedAt, long completedAt, Outcome outcome, long total) {
        return new Op(client, Kind.BALANCE_READ, invokedAt, completedAt, outcome, 0, List.of(), Map.of(), total);
    }
}
