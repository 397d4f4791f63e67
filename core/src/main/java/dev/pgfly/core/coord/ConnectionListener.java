package dev.pgfly.core.coord;

/** Connection state of the coordination session, reduced to what the HA logic must act on. */
public interface ConnectionListener {
    /** Connection lost; the session may still be alive on the server. A primary must stop writes now. */
    void suspended();

    /** Connection back, same session: ephemeral nodes (leadership) may still be ours. */
    void reconnected();

    /** Session gone: every ephemeral node of ours is gone too. */
    void lost();
}
