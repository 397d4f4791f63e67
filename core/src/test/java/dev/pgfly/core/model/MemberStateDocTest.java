package dev.pgfly.core.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The state table in docs/ha-state-machine.md and {@link MemberState} name the same states, in the same order. */
class MemberStateDocTest {
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| `([a-z ]+)` \\|");

    @Test
    void theDocumentedTableListsEveryStateAndNoOther() throws IOException {
        Path doc = Path.of("..", "docs", "ha-state-machine.md");
        List<String> documented = Files.readAllLines(doc).stream()
                .dropWhile(l -> !l.startsWith("## Member states"))
                .takeWhile(l -> !l.startsWith("## Marks"))
                .map(FIRST_CELL::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
        assertThat(documented).containsExactlyElementsOf(Arrays.stream(MemberState.values()).map(MemberState::label).toList());
    }
}
