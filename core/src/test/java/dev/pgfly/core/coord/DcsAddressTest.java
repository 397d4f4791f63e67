package dev.pgfly.core.coord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DcsAddressTest {
    @Test
    void severalHostsAndARoot() {
        DcsAddress a = DcsAddress.parse("zk://h1:2181,h2:2181/pgfly");
        assertThat(a.connectString()).isEqualTo("h1:2181,h2:2181");
        assertThat(a.root()).isEqualTo("/pgfly");
    }

    @Test
    void theRootDefaultsToPgfly() {
        assertThat(DcsAddress.parse("zk://h:1")).isEqualTo(new DcsAddress("h:1", "/pgfly"));
        assertThat(DcsAddress.parse("zk://h:1/")).isEqualTo(new DcsAddress("h:1", "/pgfly"));
    }

    @Test
    void anotherRootIsKeptWithoutItsTrailingSlash() {
        assertThat(DcsAddress.parse("zk://127.0.0.1:2181/ha")).isEqualTo(new DcsAddress("127.0.0.1:2181", "/ha"));
        assertThat(DcsAddress.parse("zk://h:1/a/b/")).isEqualTo(new DcsAddress("h:1", "/a/b"));
        assertThat(DcsAddress.parse("zk://h:1/a/b").root()).isEqualTo("/a/b");
    }

    @Test
    void toStringGivesBackTheAddress() {
        for (String uri : new String[] {"zk://h1:2181,h2:2181/pgfly", "zk://127.0.0.1:2181/a/b"}) {
            assertThat(DcsAddress.parse(uri).toString()).isEqualTo(uri);
            assertThat(DcsAddress.parse(DcsAddress.parse(uri).toString())).isEqualTo(DcsAddress.parse(uri));
        }
        assertThat(DcsAddress.parse("zk://h:1").toString()).isEqualTo("zk://h:1/pgfly");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"etcd://h:2379/pgfly", "http://h:2181/pgfly", "h:2181", "ZK://h:2181", "zk:/h:2181",
            " zk://h:2181", "consul://h"})
    void otherSchemesAreRejected(String uri) {
        assertThatThrownBy(() -> DcsAddress.parse(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported coordination store");
    }

    @ParameterizedTest
    @ValueSource(strings = {"zk://", "zk:///pgfly", "zk:// /pgfly", "zk:///"})
    void anAddressWithoutHostIsRejected(String uri) {
        assertThatThrownBy(() -> DcsAddress.parse(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host");
    }
}
