package dev.pgfly.postgres;

/**
 * PostgreSQL's three shutdown modes, with its own names: {@code pg_ctl stop -m smart|fast|immediate}, or
 * the signal each one is to the postmaster (TERM, INT, QUIT).
 */
public enum ShutdownMode {
    /**
     * Refuses new connections and waits for every session to end on its own, then writes a shutdown
     * checkpoint as {@link #FAST} does. Nothing is rolled back, but it waits as long as any client keeps
     * its session open: pgfly does not use it.
     */
    SMART("smart", "TERM"),
    /**
     * Disconnects clients and rolls back their open transactions, then writes a shutdown checkpoint, which
     * streams to the replicas before the walsenders exit: a replica that received it has everything the
     * primary wrote, and the stopped server needs no crash recovery to start.
     */
    FAST("fast", "INT"),
    /**
     * Stops every process at once, without a checkpoint, as fencing needs: nothing more is committed or
     * sent once the postmaster is gone, and the next start runs crash recovery.
     */
    IMMEDIATE("immediate", "QUIT");

    private final String pgCtlName;
    private final String signal;

    ShutdownMode(String pgCtlName, String signal) {
        this.pgCtlName = pgCtlName;
        this.signal = signal;
    }

    /** The mode as {@code pg_ctl stop -m} takes it. */
    public String pgCtlName() {
        return pgCtlName;
    }

    /** The signal that asks the postmaster for this shutdown, as {@code kill -SIGNAL} takes it. */
    public String signal() {
        return signal;
    }

    @Override
    public String toString() {
        return pgCtlName;
    }
}
