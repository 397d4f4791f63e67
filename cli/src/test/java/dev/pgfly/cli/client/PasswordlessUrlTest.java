package dev.pgfly.cli.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordlessUrlTest {
    @Test
    void splitsThePasswordOff() {
        PasswordlessUrl u = PasswordlessUrl.of("postgres://postgres:s3cretPW@127.0.0.1:6432/postgres");
        assertThat(u.url()).isEqualTo("postgres://postgres@127.0.0.1:6432/postgres");
        assertThat(u.password()).isEqualTo("s3cretPW");
    }

    @Test
    void keepsTheQueryAndDecodesThePassword() {
        PasswordlessUrl u = PasswordlessUrl.of(
                "postgresql://app:p%40ss%3Aw+rd@db.example:5432/shop?sslmode=verify-full&sslrootcert=/x/ca.crt");
        assertThat(u.url()).isEqualTo("postgresql://app@db.example:5432/shop?sslmode=verify-full&sslrootcert=/x/ca.crt");
        assertThat(u.password()).isEqualTo("p@ss:w+rd");
    }

    @Test
    void anAtSignInTheQueryIsNotTheUserInfo() {
        PasswordlessUrl u = PasswordlessUrl.of("postgres://u@h:1/db?application_name=a:b@c");
        assertThat(u.url()).isEqualTo("postgres://u@h:1/db?application_name=a:b@c");
        assertThat(u.password()).isNull();
    }

    @Test
    void withoutPassword() {
        assertThat(PasswordlessUrl.of("postgres://h:1/db").password()).isNull();
        assertThat(PasswordlessUrl.hasPassword("postgres://u@h:1/db")).isFalse();
        assertThat(PasswordlessUrl.hasPassword("postgres://u:@h:1/db")).isTrue();
        assertThat(PasswordlessUrl.hasPassword("postgres://u:x@h/db")).isTrue();
        assertThat(PasswordlessUrl.hasPassword("not a url")).isFalse();
    }
}
