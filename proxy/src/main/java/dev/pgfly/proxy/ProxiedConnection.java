package dev.pgfly.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection piped to one backend: a thread per direction ({@link ConnectionThreads}),
 * blocking I/O.
 */
final class ProxiedConnection {
    private static final int BUFFER = 32 * 1024;

    final Route route;
    final boolean primaryPort;
    private final Socket client;
    private final Socket backend;
    private final AtomicBoolean closed = new AtomicBoolean();

    ProxiedConnection(Socket client, Socket backend, Route route, boolean primaryPort) {
        this.client = client;
        this.backend = backend;
        this.route = route;
        this.primaryPort = primaryPort;
    }

    /** Pipes both ways until either side closes; the caller waits (a virtual thread parks for free). */
    void pipe(AtomicLong toServer, AtomicLong toClient) {
        Thread upstream = ConnectionThreads.startPipe(() -> copy(client, backend, toServer));
        Thread downstream = ConnectionThreads.startPipe(() -> copy(backend, client, toClient));
        try {
            upstream.join();
            downstream.join();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
        }
    }

    private void copy(Socket from, Socket to, AtomicLong counter) {
        byte[] buffer = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                counter.addAndGet(n);
            }
        } catch (IOException e) {
            // the other side closed, or close() was called: either ends the connection
        } finally {
            close();
        }
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(client);
            closeQuietly(backend);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
