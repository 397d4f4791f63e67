package dev.pgfly.testkit.chaos;

import java.util.ArrayList;
import java.util.List;

/** Every operation of a run, in completion order; shared by the workload clients. */
public final class History {
    private final List<Op> ops = new ArrayList<>();

    synchronized void add(Op op) {
        ops.add(op);
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized long count(Op.Outcome outcome) {
        return ops.stream().filter(o -> o.outcome() == outcome).count();
    }

    public synchronized int size() {
        return ops.size();
    }
}
