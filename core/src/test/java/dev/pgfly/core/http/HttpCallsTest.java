package dev.pgfly.core.http;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class HttpCallsTest {
    record Request(String name, int members) {
    }

    private static String problem(String json) {
        JacksonException e = catchThrowableOfType(JacksonException.class,
                () -> HttpCalls.strictReader(Request.class).readValue(json));
        return HttpCalls.describe(e);
    }

    @Test
    void bodyProblemsAreDescribedInTheCallersTerms() {
        assertThat(problem("{\"name\":\"a\",\"evil\":1}")).isEqualTo("invalid JSON body: unknown field 'evil'");
        assertThat(problem("{\"name\":\"a\",\"members\":\"many\"}"))
                .isEqualTo("invalid JSON body: wrong type or value for field 'members'");
        assertThat(problem("{\"members\":null}")).contains("'members'");
        assertThat(problem("{\"name\":")).startsWith("malformed JSON body at line 1");
        assertThat(problem("[]")).isEqualTo("invalid JSON body: not the expected object");
        assertThat(problem("{\"name\":\"a\"} x")).doesNotContain("tools.jackson").doesNotContain("dev.pgfly");
    }

    @Test
    void messagesStayOnOneBoundedLine() {
        assertThat(HttpCalls.oneLine("a\nb\r\tc\u0000d")).isEqualTo("a b  c\\x00d");
        assertThat(HttpCalls.oneLine("x".repeat(1000))).hasSize(303);
        assertThat(HttpCalls.oneLine(null)).isEmpty();
    }
}
