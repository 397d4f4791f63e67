package dev.pgfly.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgfly.core.util.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberSpecTest {
    private final MemberSpec plain = new MemberSpec("m2", "127.0.0.2", 5432, 8008, "local", MemberSpec.DEFAULT_PRIORITY, false);

    @Test
    void aSpecWrittenBeforeTheNoSyncTagReadsAsSyncable() {
        String older = "{\"name\":\"m2\",\"host\":\"127.0.0.2\",\"pg_port\":5432,\"api_port\":8008,\"region\":\"local\","
                + "\"priority\":100,\"no_failover\":false}";
        MemberSpec read = Json.read(older, MemberSpec.class);
        assertThat(read).isEqualTo(plain);
        assertThat(read.noSync()).isFalse();
    }

    @Test
    void tagsNameOnlyWhatDiffersFromAPlainMember() {
        assertThat(plain.tags()).isEmpty();
        assertThat(plain.withTags(5, true, true).tags()).isEqualTo("nofailover,nosync,priority=5");
        assertThat(plain.withTags(MemberSpec.DEFAULT_PRIORITY, false, true).tags()).isEqualTo("nosync");
        MemberSpec tagged = plain.withTags(7, true, false);
        assertThat(tagged.name()).isEqualTo("m2");
        assertThat(tagged.pgPort()).isEqualTo(5432);
        assertThat(Json.read(Json.text(tagged), MemberSpec.class)).isEqualTo(tagged);
    }

    @Test
    void replacingAMemberKeepsTheOthersAndTheOrder() {
        MemberSpec m1 = new MemberSpec("m1", "127.0.0.1", 5432, 8008, "local", MemberSpec.DEFAULT_PRIORITY, false);
        MemberSpec m3 = new MemberSpec("m3", "127.0.0.3", 5432, 8008, "local", MemberSpec.DEFAULT_PRIORITY, false);
        ClusterSpec spec = new ClusterSpec("shop", "ha", "local", false, 1024, "127.0.0.1", 16432, 16433, 15,
                List.of(m1, plain, m3), java.util.Map.of());
        ClusterSpec replaced = spec.replacingMember(plain.withTags(1, false, true));
        assertThat(replaced.members()).extracting(MemberSpec::name).containsExactly("m1", "m2", "m3");
        assertThat(replaced.member("m2").orElseThrow().noSync()).isTrue();
        assertThat(replaced.member("m1").orElseThrow()).isEqualTo(m1);
        assertThatThrownBy(() -> spec.replacingMember(new MemberSpec("m9", "h", 1, 2, "local", 0, false)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
