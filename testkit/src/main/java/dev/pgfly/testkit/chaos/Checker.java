package dev.pgfly.testkit.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a recorded history against the final state, as a pure function (unit-tested on made-up
 * histories). What it finds:
 * <ul>
 *   <li>lost appends: acknowledged, absent from the final lists;</li>
 *   <li>phantom appends: definitely failed, present in the final lists;</li>
 *   <li>duplicates: a value twice in one list (in a read or at the end);</li>
 *   <li>torn appends: a transaction's value in one of its keys but not the other (in a read or at the end);</li>
 *   <li>contradicting reads: a read list that is not a prefix of the final list (it saw an order or a
 *       value that history then undid);</li>
 *   <li>bank: a read total, or the final total, other than the invariant.</li>
 * </ul>
 */
public final class Checker {

    public record Report(int lostAppends, int phantomAppends, int duplicates, int tornAppends, int contradictingReads,
                         int badBankReads, boolean finalBankTotalOk, List<String> examples) {

        public boolean clean(boolean lossAllowed) {
            return (lossAllowed || lostAppends == 0) && phantomAppends == 0 && duplicates == 0 && tornAppends == 0
                    && (lossAllowed || contradictingReads == 0) && badBankReads == 0 && finalBankTotalOk;
        }

        public String summary() {
            return "lost appends " + lostAppends + ", phantom " + phantomAppends + ", duplicates " + duplicates
                    + ", torn " + tornAppends + ", contradicting reads " + contradictingReads
                    + ", bad bank reads " + badBankReads + ", final bank total " + (finalBankTotalOk ? "ok" : "WRONG");
        }
    }

    private Checker() {
    }

    public static Report check(List<Op> ops, Map<Integer, List<Long>> finalLists, long finalBankTotal, long bankTotal) {
        List<String> examples = new ArrayList<>();
        Map<Long, List<Integer>> appendKeys = new HashMap<>();
        int lost = 0;
        int phantom = 0;
        for (Op op : ops) {
            if (op.kind() != Op.Kind.APPEND) {
                continue;
            }
            appendKeys.put(op.value(), op.keys());
            for (int k : op.keys()) {
                boolean present = finalLists.getOrDefault(k, List.of()).contains(op.value());
                if (op.outcome() == Op.Outcome.OK && !present) {
                    lost++;
                    note(examples, "acknowledged append " + op.value() + " to key " + k + " is lost");
                } else if (op.outcome() == Op.Outcome.FAILED && present) {
                    phantom++;
                    note(examples, "failed append " + op.value() + " is present in key " + k);
                }
            }
        }
        int duplicates = 0;
        int torn = 0;
        int contradicting = 0;
        List<Map<Integer, List<Long>>> states = new ArrayList<>();
        for (Op op : ops) {
            if (op.kind() == Op.Kind.LIST_READ && op.outcome() == Op.Outcome.OK) {
                states.add(op.read());
                for (var e : op.read().entrySet()) {
                    List<Long> fin = finalLists.getOrDefault(e.getKey(), List.of());
                    if (!isPrefix(e.getValue(), fin)) {
                        contradicting++;
                        note(examples, "read of key " + e.getKey() + " " + tail(e.getValue()) + " is not a prefix of the final "
                                + tail(fin));
                    }
                }
            }
        }
        states.add(finalLists);
        for (Map<Integer, List<Long>> state : states) {
            // Sets, not the lists: a long run has hundreds of thousands of reads of lists thousands long,
            // and List.contains per value made this check run for hours.
            Map<Integer, Set<Long>> sets = new HashMap<>();
            for (var e : state.entrySet()) {
                Set<Long> values = new HashSet<>(e.getValue());
                sets.put(e.getKey(), values);
                if (values.size() != e.getValue().size()) {
                    duplicates++;
                    note(examples, "key " + e.getKey() + " holds a value twice: " + tail(e.getValue()));
                }
            }
            Set<Long> seen = new HashSet<>();
            sets.values().forEach(seen::addAll);
            for (long v : seen) {
                List<Integer> keys = appendKeys.get(v);
                if (keys == null) {
                    continue;
                }
                long in = keys.stream().filter(k -> sets.getOrDefault(k, Set.of()).contains(v)).count();
                if (in != keys.size() && keys.stream().allMatch(state::containsKey)) {
                    torn++;
                    note(examples, "value " + v + " is in " + in + " of its keys " + keys);
                }
            }
        }
        int badBank = 0;
        for (Op op : ops) {
            if (op.kind() == Op.Kind.BALANCE_READ && op.outcome() == Op.Outcome.OK && op.readTotal() != bankTotal) {
                badBank++;
                note(examples, "a read saw a bank total of " + op.readTotal() + " instead of " + bankTotal);
            }
        }
        return new Report(lost, phantom, duplicates, torn, contradicting, badBank, finalBankTotal == bankTotal,
                List.copyOf(examples));
    }

    static boolean isPrefix(List<Long> read, List<Long> fin) {
        return read.size() <= fin.size() && fin.subList(0, read.size()).equals(read);
    }

    private static String tail(List<Long> l) {
        return l.size() <= 6 ? l.toString() : "[..." + l.subList(l.size() - 6, l.size()).toString().substring(1);
    }

    private static void note(List<String> examples, String s) {
        if (examples.size() < 10) {
            examples.add(s);
        }
    }
}
