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

    @Test
    void queryParametersAreDecodedOneWayAndAmbiguityIsRefused() {
        assertThat(HttpCalls.queryParameters((String) null)).isEmpty();
        assertThat(HttpCalls.queryParameters("limit=5&member=m%201&&json")).containsExactly(
                org.assertj.core.api.Assertions.entry("limit", "5"), org.assertj.core.api.Assertions.entry("member", "m 1"),
                org.assertj.core.api.Assertions.entry("json", ""));
        assertThat(refusal("a=1&a=2")).isEqualTo("query parameter 'a' given more than once");
        // The same name, once encoded: still the same name.
        assertThat(refusal("a=1&%61=2")).isEqualTo("query parameter 'a' given more than once");
        assertThat(refusal("=1")).isEqualTo("a query parameter without a name");
        assertThat(refusal("a=%zz")).startsWith("malformed query string");
    }

    private static String refusal(String query) {
        HttpCalls.Refused e = catchThrowableOfType(HttpCalls.Refused.class, () -> HttpCalls.queryParameters(query));
        assertThat(e.status()).isEqualTo(400);
        return e.getMessage();
    }
}
