package dev.pgfly.agent.ha;

/**
 * What the HA loop reports as it runs, for metrics. Calls come from the HA loop's own thread and must
 * return at once: an observer never does I/O.
 */
public interface HaObserver {
    HaObserver NONE = new HaObserver() {
    };

    /** One HA cycle ran (decision and status publication included). */
    default void cycleTook(long nanos) {
    }

    /** This member's status reached the coordination store: proof of a working session. */
    default void storeContacted() {
    }

    /** An event of this kind was recorded in the cluster's history (failover, switchover, restart...). */
    default void eventRecorded(String kind) {
    }
}
