package dev.pgfly.core.model;

public enum Role {
    PRIMARY, REPLICA, UNKNOWN;

    public String label() {
        return name().toLowerCase();
    }
}
