package dev.pgfly.core.coord;

/** A coordination-store operation failed (connection loss, timeout, unexpected state). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
