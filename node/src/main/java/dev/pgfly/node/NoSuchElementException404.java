package dev.pgfly.node;

/** "No such cluster/member": the API answers 404 for it. */
final class NoSuchElementException404 extends RuntimeException {
    NoSuchElementException404(String message) {
        super(message);
    }
}
