package dev.pgfly.agent.ha;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only a pg_rewind that began changing files leaves the data directory unusable. Marking every failed
 * rewind so deadlocked a synchronous cluster in HaClusterIT: the former primary m1 could not reach the
 * killed m2 ("Is the server running on that host..."), its untouched directory was marked, it stayed out
 * of the election, and the others, who must know the synchronous standby m1's position, never promoted.
 */
class RewindOutputTest {
    @Test
    void aRewindThatFailedWhileCopyingChangedTheTarget() {
        String output = """
                pg_rewind: servers diverged at WAL location 0/48FFF0A0 on timeline 74
                pg_rewind: rewinding from last common checkpoint at 0/48FFEF88 on timeline 74
                pg_rewind: reading source file list
                pg_rewind: reading target file list
                pg_rewind: reading WAL in target
                pg_rewind: need to copy 54 MB (total source directory size is 76 MB)
                pg_rewind: error: unexpected result while fetching remote files: SSL connection has been closed unexpectedly
                """;
        assertThat(RewindOutput.changedTheTarget(output)).isTrue();
    }

    @Test
    void aRewindThatCouldNotStartChangedNothing() {
        assertThat(RewindOutput.changedTheTarget("""
                pg_rewind: error: connection to server at "127.44.1.2", port 5432 failed: Connection refused
                \tIs the server running on that host and accepting TCP/IP connections?
                """)).isFalse();
        assertThat(RewindOutput.changedTheTarget(
                "pg_rewind: error: could not find common ancestor of the source and target cluster's timelines")).isFalse();
        assertThat(RewindOutput.changedTheTarget("pg_rewind: source and target cluster are on the same timeline\n"
                + "pg_rewind: no rewind required")).isFalse();
    }

    @Test
    void aRewindOnTheSourcesTimelineFoundNothingToDo() {
        assertThat(RewindOutput.foundNothingToRewind("pg_rewind: source and target cluster are on the same timeline\n"
                + "pg_rewind: no rewind required")).isTrue();
        assertThat(RewindOutput.foundNothingToRewind("pg_rewind: servers diverged at WAL location 0/48FFF0A0 on timeline 74\n"
                + "pg_rewind: need to copy 54 MB (total source directory size is 76 MB)\n"
                + "pg_rewind: Done!")).isFalse();
    }
}
