package dev.pgfly.cli.client;

/** A failure to report to the user as one line on standard error, with a non-zero exit code. */
public class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }
}
