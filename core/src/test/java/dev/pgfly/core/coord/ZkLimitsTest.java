package dev.pgfly.core.coord;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZkLimitsTest {
    @Test
    void clientsReadResponsesUpToTheServersLimit() {
        assertThat(ZkLimits.clientConfig().getInt("jute.maxbuffer", 0)).isEqualTo(ZkLimits.MAX_BUFFER_BYTES);
        assertThat(ZkLimits.MAX_NODE_BYTES).isLessThan(ZkLimits.MAX_BUFFER_BYTES);
    }

    @Test
    void aNodeTooLargeToStoreIsRefusedInOneLine() {
        assertThatCode(() -> ZkLimits.requireStorable("/pgfly/c/config", new byte[ZkLimits.MAX_NODE_BYTES]))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> ZkLimits.requireStorable("/pgfly/c/config", new byte[ZkLimits.MAX_NODE_BYTES + 1]))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot store /pgfly/c/config: " + (ZkLimits.MAX_NODE_BYTES + 1)
                        + " bytes, more than the " + ZkLimits.MAX_NODE_BYTES + " a coordination store node may hold");
    }
}
