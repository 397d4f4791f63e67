package dev.pgfly.cli.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogLinesTest {

    @Test
    void prefixesWithPaddedLabel() {
        assertThat(LogLines.prefixed("m1", 2, "LOG:  ready")).isEqualTo("m1 | LOG:  ready");
        assertThat(LogLines.prefixed("m1", 8, "x")).isEqualTo("m1       | x");
        assertThat(LogLines.prefixed("m1 agent", 8, "x")).isEqualTo("m1 agent | x");
        assertThat(LogLines.prefixed("m1", 2, "")).isEqualTo("m1 | ");
    }

    @Test
    void splitterKeepsPartialLinesUntilTheyEnd() {
        LogLines.Splitter s = new LogLines.Splitter();
        byte[] a = "one\ntw".getBytes(StandardCharsets.UTF_8);
        assertThat(s.add(a, a.length)).containsExactly("one");
        byte[] b = "o\r\nthree\n\nfou".getBytes(StandardCharsets.UTF_8);
        assertThat(s.add(b, b.length)).containsExactly("two", "three", "");
        s.reset();
        byte[] c = "five\n".getBytes(StandardCharsets.UTF_8);
        assertThat(s.add(c, c.length)).containsExactly("five");
        // a multi-byte character split between two reads
        byte[] e = "é\n".getBytes(StandardCharsets.UTF_8);
        s.add(e, 1);
        assertThat(s.add(new byte[] {e[1], e[2]}, 2)).containsExactly("é");
    }

    @Test
    void mergesByTimestampAndKeepsContinuationLinesWithTheirLine() {
        var pg = LogLines.label("m1", List.of(
                "2024-05-01 10:00:00.100 UTC [10] LOG:  a",
                "2024-05-01 10:00:02.000 UTC [10] ERROR:  c",
                "\tDETAIL:  belongs to c"));
        var agent = LogLines.label("m1 agent", List.of(
                "2024-05-01 10:00:01.000 INFO  [ha-loop] HaLoop - b",
                "2024-05-01 10:00:03.000 INFO  [ha-loop] HaLoop - d"));
        List<String> merged = LogLines.merge(List.of(pg, agent)).stream().map(l -> l.label() + ":" + l.line()).toList();
        assertThat(merged).containsExactly(
                "m1:2024-05-01 10:00:00.100 UTC [10] LOG:  a",
                "m1 agent:2024-05-01 10:00:01.000 INFO  [ha-loop] HaLoop - b",
                "m1:2024-05-01 10:00:02.000 UTC [10] ERROR:  c",
                "m1:\tDETAIL:  belongs to c",
                "m1 agent:2024-05-01 10:00:03.000 INFO  [ha-loop] HaLoop - d");
    }

    @Test
    void tailFollowsAppendsTruncationAndReplacement(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("postgres.log");
        Files.writeString(file, "l1\nl2\nl3\n");
        LogTail tail = new LogTail(file);
        assertThat(tail.last(2)).containsExactly("l2", "l3");
        assertThat(tail.poll()).isEmpty();
        try (FileOutputStream w = new FileOutputStream(file.toFile(), true)) {
            w.write("l4\npart".getBytes(StandardCharsets.UTF_8));
            assertThat(tail.poll()).containsExactly("l4");
            w.write("ial\n".getBytes(StandardCharsets.UTF_8));
            assertThat(tail.poll()).containsExactly("partial");
            w.getChannel().truncate(0); // copy-and-truncate rotation
            w.write("after truncate\n".getBytes(StandardCharsets.UTF_8));
            assertThat(tail.poll()).containsExactly("after truncate");
        }
        Files.move(file, dir.resolve("postgres.log.1"), StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(file, "new file\n");
        assertThat(tail.poll()).as("rename-and-create rotation").containsExactly("new file");
    }

    @Test
    void lastOfALongFileAndOfAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.log");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append("line ").append(i).append('\n');
        }
        Files.writeString(file, sb);
        assertThat(new LogTail(file).last(3)).containsExactly("line 19997", "line 19998", "line 19999");
        assertThat(new LogTail(file).last(0)).isEmpty();
        assertThat(new LogTail(dir.resolve("none.log")).last(5)).isEmpty();
    }
}
