package dev.pgfly.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Where a member's agent stands in its HA loop, as it publishes it in {@link MemberStatus}. Every other
 * process (the proxy, the daemon, rolling restart, backups, benches) decides by asking a state, never by
 * reading its sentence: the sentence travels beside it as {@link MemberStatus#detail()}.
 *
 * <p>The table in {@code docs/ha-state-machine.md} lists, per state, when it is entered, what PostgreSQL
 * is doing, whether the leader node is held and which states follow; {@code MemberStateDocTest} fails when
 * the two disagree. S1..S6 are the safety rules written out in that page.
 *
 * <p>On the wire a state is its lower-case {@link #label()}. Agents before this enum sent a sentence in the
 * same field ("catching up with m2", "idle: stopped after 300 s without clients"); {@link #fromWire}
 * still reads those, so that a rolling upgrade in either direction keeps working. {@code running} and
 * {@code idle} keep their old spelling because older daemons and proxies compare against them.
 */
public enum MemberState {
    /** The agent has started and has not finished a cycle yet. Nothing is known about PostgreSQL. */
    STARTING("starting"),
    /** The coordination session is not connected. The agent changes nothing until it is (a primary was fenced first: S1, and shows {@link #FENCED} until then). */
    STORE_UNREACHABLE("store unreachable"),
    /** The cluster's configuration is not in the store yet (a create in progress). */
    WAITING_FOR_CONFIG("waiting for configuration"),
    /** This member is no longer in the cluster's configuration: PostgreSQL is stopped, the lease cleared. */
    REMOVED("removed"),
    /** This member won the right to initialize a new cluster: initdb, then start as its first primary. */
    INITIALIZING("initializing"),
    /** The previous agent died before pgfly's roles existed: leadership is taken again and the bootstrap finished. */
    RESUMING_BOOTSTRAP("resuming bootstrap"),
    /** No ready primary to clone or follow yet (or to re-clone from, for a data directory marked for it). */
    WAITING_FOR_PRIMARY("waiting for primary"),
    /** pg_basebackup from the primary into an empty data directory. */
    CLONING("cloning"),
    /** Leads (holds the leader node) and is starting PostgreSQL as a primary. */
    STARTING_PRIMARY("starting as primary"),
    /** Leads, PostgreSQL runs, and pgfly's own roles are being created (a bootstrap left them pending). */
    CREATING_ROLES("creating roles"),
    /** Leads, but its running PostgreSQL does not answer a probe. The proxy does not route to it. */
    PRIMARY_NOT_ANSWERING("primary not answering"),
    /** Leads and promotes its PostgreSQL, which was a standby (S2 chose it). */
    PROMOTING("promoting"),
    /**
     * Settled: a primary holding the leader node and serving writes, or a replica streaming from the leader on
     * the leader's timeline. The only state in which a member is routed clients.
     */
    RUNNING("running"),
    /** A scale-to-zero primary that stopped PostgreSQL for lack of clients; it keeps the leader node, marked not ready. */
    IDLE("idle"),
    /** An idle primary starting PostgreSQL because a client asked through the proxy. */
    WAKING("waking"),
    /** The last wake-up failed; published once so the proxy can answer the waiting clients with the reason. */
    WAKE_FAILED("wake failed"),
    /** The leader node names this member but leadership could not be proven to the store: no writes (S1). */
    LEADERSHIP_UNPROVEN("leadership unproven"),
    /** Another member took the leader node first (an election or a bootstrap lost). */
    LOST_ELECTION("lost election"),
    /** This member stopped leading after a planned switchover: PostgreSQL stopped cleanly, nothing to rewind (S5). */
    HANDED_OVER("handed over"),
    /** PostgreSQL may accept writes without leadership: it is being stopped at once (immediate shutdown). */
    DEMOTING("demoting"),
    /** The coordination session was suspended while leading: PostgreSQL got an immediate shutdown (S1). */
    FENCED("fenced"),
    /** Starting PostgreSQL as a standby, or running and not answering yet (still in recovery before consistency). */
    STARTING_REPLICA("starting as replica"),
    /** A running standby that does not stream from the leader on its timeline yet; it rewinds or re-clones after a grace. */
    CATCHING_UP("catching up"),
    /** pg_rewind against the new primary (S4): PostgreSQL is stopped. */
    REWINDING("rewinding"),
    /** A fresh clone replaces the data directory; the old copy is kept until the clone is complete (S4). */
    RECLONING("recloning"),
    /** Nobody leads: PostgreSQL runs as a standby (never writable) and the election waits for a fit candidate (S2). */
    LEADERLESS("leaderless"),
    /** The last cycle failed; the detail carries the error. The next cycle starts after a loop interval. */
    ERROR("error");

    /** Sentences older agents published, by the state they meant, first match wins. */
    private static final List<Map.Entry<String, MemberState>> LEGACY_PREFIXES = List.of(
            Map.entry("coordination store unreachable", STORE_UNREACHABLE),
            Map.entry("waiting for the cluster configuration", WAITING_FOR_CONFIG),
            Map.entry("removed from the cluster", REMOVED),
            Map.entry("fenced:", FENCED),
            Map.entry("waiting for a primary", WAITING_FOR_PRIMARY),
            Map.entry("waiting for ", WAITING_FOR_PRIMARY),
            Map.entry("cloning from", CLONING),
            Map.entry("resuming the interrupted bootstrap", RESUMING_BOOTSTRAP),
            Map.entry("another member", LOST_ELECTION),
            Map.entry("cannot prove leadership", LEADERSHIP_UNPROVEN),
            Map.entry("creating pgfly's roles", CREATING_ROLES),
            Map.entry("idle:", IDLE),
            Map.entry("wake failed:", WAKE_FAILED),
            Map.entry("starting, not accepting connections yet", STARTING_REPLICA),
            Map.entry("starting as standby (leaderless)", LEADERLESS),
            Map.entry("catching up with", CATCHING_UP),
            Map.entry("rewinding against", REWINDING),
            Map.entry("re-cloning from", RECLONING),
            Map.entry("leaderless:", LEADERLESS),
            Map.entry("error:", ERROR));

    private final String label;

    MemberState(String label) {
        this.label = label;
    }

    /** The lower-case name on the wire and in {@code status}. */
    @JsonValue
    public String label() {
        return label;
    }

    /** Settled: a primary serving writes or a replica streaming on the leader's timeline (see {@link #RUNNING}). */
    public boolean isRunning() {
        return this == RUNNING;
    }

    /** A scale-to-zero primary whose PostgreSQL is stopped until a client comes. */
    public boolean isIdle() {
        return this == IDLE;
    }

    /**
     * The state a published value names: a label, or a sentence of an agent older than this enum. A value
     * nobody wrote (a newer agent's state this version does not know) reads as {@link #ERROR}: never settled.
     */
    @JsonCreator
    public static MemberState fromWire(String value) {
        if (value == null) {
            return STARTING;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (MemberState s : values()) {
            if (s.label.equals(v)) {
                return s;
            }
        }
        for (Map.Entry<String, MemberState> legacy : LEGACY_PREFIXES) {
            if (v.startsWith(legacy.getKey())) {
                return legacy.getValue();
            }
        }
        return ERROR;
    }

    @Override
    public String toString() {
        return label;
    }
}
