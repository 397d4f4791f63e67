package dev.pgfly.testkit.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small filesystem of its own for each member's directory (a size-limited tmpfs mounted over
 * {@code <data root>/<member>}), so that a {@link HostFaultSchedule.Kind#DISK_FULL} fault fills one member's
 * volume and nobody else's. Mounts are global on this machine (the hosts are network namespaces only), but a
 * node started with {@code ip netns exec} keeps a copy of the mount table taken at its start (the root
 * mount is private here): the volumes must be mounted before the nodes that run the members start, or
 * the nodes started again ({@link HostInstall#mountDataVolumes}).
 *
 * <p>{@link #close()} unmounts exactly what {@link #mount} mounted, nothing else: a directory that is a
 * mount point already is refused, not covered.
 */
public final class DataVolumes implements AutoCloseable {
    /** The filler's name, beside the member's data directory on its volume. */
    static final String FILLER = "chaos-filler";

    private final List<Path> mounted = new ArrayList<>();
    private final PrintStream out;

    private DataVolumes(PrintStream out) {
        this.out = out;
    }

    /** A tmpfs of {@code megabytes} over {@code dataRoot/<member>} for each member; all or none. */
    public static DataVolumes mount(Path dataRoot, List<String> members, int megabytes, PrintStream out) throws IOException {
        DataVolumes volumes = new DataVolumes(out);
        try {
            for (String member : members) {
                Path dir = dataRoot.resolve(member);
                Files.createDirectories(dir);
                if (isMountPoint(dir)) {
                    throw new IOException(dir + " is a mount point already: not ours to cover");
                }
                // mode 0710 as pgfly gives a member directory; the agent sets its group and mode again anyway.
                int exit = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0710", "pgfly-chaos-" + member, dir.toString());
                if (exit != 0) {
                    throw new IOException("mount -t tmpfs over " + dir + " exited " + exit);
                }
                volumes.mounted.add(dir);
            }
            return volumes;
        } catch (IOException | RuntimeException e) {
            volumes.close();
            throw e;
        }
    }

    /** The mounted member directories, in order. */
    public List<Path> directories() {
        return List.copyOf(mounted);
    }

    /**
     * Fills {@code member}'s volume to the last byte with a file of zeros beside its data directory (a
     * writer that is not PostgreSQL: a log, a dump, an operator's copy). Returns what frees it: removing
     * the filler after {@code millis}.
     */
    public Faults.Heal fill(String member, long millis) throws IOException {
        Path dir = volume(member);
        Path filler = dir.resolve(FILLER);
        long free = Files.getFileStore(dir).getUsableSpace();
        // fallocate takes every free block at once (tmpfs supports it); dd tops up whatever it left.
        int exit = run("fallocate", "-l", Long.toString(Math.max(free, 4096)), filler.toString());
        if (exit != 0) {
            run("dd", "if=/dev/zero", "of=" + filler, "bs=1M", "status=none");
        }
        run("dd", "if=/dev/zero", "of=" + dir.resolve(FILLER + ".tail"), "bs=4k", "status=none");
        out.printf("  (%s's volume filled: %d MiB written, %d bytes free)%n", member, Files.size(filler) >> 20,
                Files.getFileStore(dir).getUsableSpace());
        return () -> {
            Thread.sleep(millis);
            free(member);
        };
    }

    /** Removes the filler from {@code member}'s volume (nothing when there is none). */
    public void free(String member) throws IOException {
        Path dir = volume(member);
        Files.deleteIfExists(dir.resolve(FILLER + ".tail"));
        Files.deleteIfExists(dir.resolve(FILLER));
    }

    private Path volume(String member) {
        for (Path dir : mounted) {
            if (dir.getFileName().toString().equals(member)) {
                return dir;
            }
        }
        throw new IllegalArgumentException("no data volume for member " + member);
    }

    /** A directory on another filesystem than its parent's. */
    static boolean isMountPoint(Path dir) throws IOException {
        Object own = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Object parent = Files.getAttribute(dir.getParent(), "unix:dev", LinkOption.NOFOLLOW_LINKS);
        return !own.equals(parent);
    }

    /**
     * Copies the logs at the top of each volume (the member's agent.log and postgres.log) to {@code pgfly.logs}
     * (when set): they live and go with the volume, and a node's own log copy looks only in its home.
     */
    public void keepLogs(String runName) {
        String target = System.getProperty("pgfly.logs");
        if (target == null) {
            return;
        }
        for (Path dir : mounted) {
            for (String name : List.of("agent.log", "postgres.log")) {
                Path log = dir.resolve(name);
                try {
                    if (Files.exists(log)) {
                        Path into = Path.of(target, runName, "volume-" + dir.getFileName());
                        Files.createDirectories(into);
                        Files.copy(log, into.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    System.err.println("could not keep " + log + ": " + e);
                }
            }
        }
    }

    /** Unmounts every volume this mounted (lazily when still busy), in reverse order. */
    @Override
    public void close() {
        for (int i = mounted.size() - 1; i >= 0; i--) {
            Path dir = mounted.get(i);
            try {
                if (run("umount", dir.toString()) != 0 && run("umount", "-l", dir.toString()) != 0) {
                    System.err.println("could not unmount " + dir);
                }
            } catch (IOException e) {
                System.err.println("could not unmount " + dir + ": " + e);
            }
        }
        mounted.clear();
    }

    private static int run(String... argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", argv), e);
        }
        return p.exitValue();
    }
}
