package dev.pgfly.agent.ha;

/** What pg_rewind's output says about the state it left the target data directory in. */
final class RewindOutput {
    private RewindOutput() {
    }

    /**
     * Whether pg_rewind got as far as writing into the target: it reports how much it needs to copy
     * ("need to copy N MB", printed with --progress, which {@code DataDirectory.rewind} passes) right before it
     * starts changing files. A run that failed before (source unreachable, no common ancestor) left the
     * directory as it was.
     */
    static boolean changedTheTarget(String output) {
        return output.contains("need to copy");
    }

    /**
     * Whether a successful pg_rewind found the target on the source's timeline and did nothing. It cannot
     * see a fork on one timeline, so a replica that still does not stream after this needs a clone.
     */
    static boolean foundNothingToRewind(String output) {
        return output.contains("no rewind required");
    }
}
