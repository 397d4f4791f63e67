package dev.pgfly.cli.commands;

/** A long operation's progress display ({@link EventProgress}); closing it stops the printing and throws nothing. */
interface ProgressSteps extends AutoCloseable {
    @Override
    void close();
}
