package dev.pgfly.proxy;

/** Where one client connection goes: a member's PostgreSQL, and the term it was chosen under. */
record Route(String member, String host, int port, long term) {
}
