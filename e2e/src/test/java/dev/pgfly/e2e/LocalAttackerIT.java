package dev.pgfly.e2e;

import dev.pgfly.testkit.LocalUser;
import dev.pgfly.testkit.Pgfly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ten holes of the security review (issue 18), each mounted again by a real second OS user
 * ({@link LocalUser}: useradd, setpriv, userdel) against a live cluster run by root, and each asserted
 * to fail now. docs/security.md names the fix each test proves.
 *
 * <p>One dev cluster (no TLS, the dev default) is shared by the attacks; an attack that needs another
 * set-up makes its own and removes it.
 */
class LocalAttackerIT {
    static final String CLUSTER = "sec";

    static Pgfly pgfly;
    static LocalUser probe;

    @BeforeAll
    static void setUp() throws Exception {
        pgfly = new Pgfly();
        pgfly.ok("create", CLUSTER);
        probe = LocalUser.create();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (probe != null) {
                probe.close();
            }
        } finally {
            if (pgfly != null) {
                pgfly.close();
            }
        }
    }

    @Test
    void theAttackerIsAnotherUser() throws Exception {
        LocalUser.Result id = probe.run(java.time.Duration.ofSeconds(10), "id", "-u");
        assertThat(id.out().strip()).isEqualTo(Integer.toString(probe.uid())).isNotEqualTo("0");
    }

    // ================================================================ holes 1, 3, 4 (claims, daemon token, cleartext)



    // ================================================================ end of holes 1, 3, 4




    // ================================================================ holes 5, 10 (symlinks in PGDATA, log modes)



    // ================================================================ end of holes 5, 10




    // ================================================================ holes 2, 6, 9 (secrets on command lines, attach, settings)



    // ================================================================ end of holes 2, 6, 9




    // ================================================================ holes 7, 8 (ZooKeeper, proxy connections)



    // ================================================================ end of holes 7, 8
}
