package dev.pgfly.node.ensemble;

import java.util.List;

/**
 * Which role a node's quorum peer gets: the first {@code targetVoters} nodes vote, later ones observe.
 * Every node counts, whether it holds database members or is only a witness: a witness's vote is what
 * lets two database hosts survive the loss of either.
 *
 * <p>Three voters survive the loss of one, five the loss of two. More voters than that would make every
 * write wait for more hosts without a case pgfly needs; an even number tolerates no more failures than the
 * odd number below it, which is why the target must be odd. On the way up an ensemble passes through
 * two voters, which tolerates no failure at all (as one voter does): the third node's join ends that.
 */
public final class EnsemblePlan {
    public static final int DEFAULT_VOTERS = 3;
    public static final int LARGE_VOTERS = 5;

    private EnsemblePlan() {
    }

    /** The role of a node not yet in {@code current}: a voter while there are fewer than the target. */
    public static PeerRole roleForNewNode(List<PeerAddress> current, int targetVoters) {
        requireTarget(targetVoters);
        return voters(current) < targetVoters ? PeerRole.VOTER : PeerRole.OBSERVER;
    }

    /**
     * The role of node {@code id}: the one it has if it is already a member (a node that rejoins after a
     * restart keeps it, so a restart never moves a vote), else that of a new node.
     */
    public static PeerRole roleFor(int id, List<PeerAddress> current, int targetVoters) {
        requireTarget(targetVoters);
        for (PeerAddress peer : current) {
            if (peer.id() == id) {
                return peer.role();
            }
        }
        return roleForNewNode(current, targetVoters);
    }

    /** One more than the largest id listed: a new node never takes the id of a peer the ensemble still knows. */
    public static int nextId(List<PeerAddress> current) {
        return current.stream().mapToInt(PeerAddress::id).max().orElse(0) + 1;
    }

    static long voters(List<PeerAddress> current) {
        return current.stream().filter(PeerAddress::isVoter).count();
    }

    private static void requireTarget(int targetVoters) {
        if (targetVoters < 1 || targetVoters % 2 == 0) {
            throw new IllegalArgumentException("the number of voters must be odd and positive, not " + targetVoters);
        }
    }
}
