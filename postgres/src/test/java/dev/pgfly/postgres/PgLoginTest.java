package dev.pgfly.postgres;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** pgfly's connections never answer a cleartext or md5 password request (a port squatter's). */
class PgLoginTest {
    private static final String PASSWORD = "s3cret-Password-that-must-not-leak";

    /** A server that asks for a password with {@code authCode} (3 cleartext, 5 md5) and records all it gets. */
    private static byte[] squat(int authCode, Properties extra) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(3000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    while (true) {
                        int len = in.readInt();
                        int code = in.readInt();
                        byte[] rest = in.readNBytes(len - 8);
                        all.write(rest);
                        if (code == 80877103 || code == 80877104) {
                            out.write('N'); // no TLS, no GSS encryption
                            out.flush();
                            continue;
                        }
                        break;
                    }
                    out.write('R');
                    out.writeInt(authCode == 5 ? 12 : 8);
                    out.writeInt(authCode);
                    if (authCode == 5) {
                        out.write(new byte[] {1, 2, 3, 4});
                    }
                    out.flush();
                    try {
                        all.write(in.readAllBytes());
                    } catch (SocketTimeoutException | java.net.SocketException e) {
                        // the client hung up or kept quiet: either way, what it sent is recorded
                    }
                    return all.toByteArray();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Properties props = PgLogin.properties("postgres", PASSWORD);
            props.setProperty("connectTimeout", "3");
            props.setProperty("socketTimeout", "3");
            props.putAll(extra);
            assertThatThrownBy(() -> PgLogin.connect("jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + "/postgres",
                    props)).satisfies(e -> assertThat(PgLogin.refusal(e)).isPresent());
            return received.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCleartextPasswordRequestIsNeverAnswered() throws Exception {
        byte[] got = squat(3, new Properties());
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).contains("postgres").doesNotContain(PASSWORD);
    }

    @Test
    void anMd5PasswordRequestIsNeverAnswered() throws Exception {
        byte[] got = squat(5, new Properties());
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotContain("md5");
    }

    @Test
    void aCallerCannotTurnTheGuardOff() throws Exception {
        Properties noPlugin = new Properties();
        noPlugin.setProperty("authenticationPluginClassName", "");
        byte[] got = squat(3, noPlugin);
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD);
    }

    @Test
    void theRefusalSaysWhatHappened() throws Exception {
        assertThatThrownBy(() -> new ScramOnlyPassword(PgLogin.properties("u", "p"))
                .getPassword(org.postgresql.plugin.AuthenticationRequestType.CLEARTEXT_PASSWORD))
                .hasMessageStartingWith(ScramOnlyPassword.REFUSAL).hasMessageContaining("cleartext password");
        assertThat(new ScramOnlyPassword(PgLogin.properties("u", "p"))
                .getPassword(org.postgresql.plugin.AuthenticationRequestType.SASL)).containsExactly('p');
    }
}
