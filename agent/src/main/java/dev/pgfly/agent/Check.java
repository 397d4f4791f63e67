package dev.pgfly.agent;

/** One health check's result: {@code pg}, {@code role} or {@code vm}, a status and a short human output. */
public record Check(String name, String status, String output) {

    static Check of(String name, CheckStatus status, String output) {
        return new Check(name, status.label(), output);
    }

    public CheckStatus verdict() {
        return CheckStatus.of(status);
    }
}
