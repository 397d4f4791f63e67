package dev.pgfly.core.tls;

/**
 * A server certificate and its private key, both PEM: the certificate is public, the key goes only to
 * files readable by the OS user that runs the server (PostgreSQL refuses a key others can read).
 */
public record MemberCertificate(String certificatePem, String keyPem) {
}
