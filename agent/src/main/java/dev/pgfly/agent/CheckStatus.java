package dev.pgfly.agent;

/** A health check's verdict, as Fly and Consul name them; ordered from best to worst. */
public enum CheckStatus {
    PASSING, WARNING, CRITICAL;

    public String label() {
        return name().toLowerCase();
    }

    public CheckStatus worse(CheckStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** Accepts what {@link #label()} produced; anything unknown counts as critical. */
    public static CheckStatus of(String label) {
        if (label == null) {
            return CRITICAL;
        }
        return switch (label) {
            case "passing" -> PASSING;
            case "warning" -> WARNING;
            default -> CRITICAL;
        };
    }
}
