package dev.pgfly.core.tls;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cluster's own certificate authority: a self-signed EC P-256 CA that signs the members' server
 * certificates. Clients trust this one certificate ({@code pgfly cert NAME}) and can then check with
 * {@code sslmode=verify-full} that they reach a member of this cluster, through the proxy included.
 *
 * <p>BouncyCastle only builds and encodes the certificates; keys, signatures and parsing use the JDK's
 * own providers, so that nothing depends on registering (or signing) a security provider.
 */
public final class ClusterCa {
    /** Long-lived: clients pin it, and replacing it means handing every client a new file. */
    public static final Duration CA_VALIDITY = Duration.ofDays(20 * 365);
    /** Members' certificates are re-issued by the daemon well before they expire (see {@link #needsRenewal}). */
    public static final Duration MEMBER_VALIDITY = Duration.ofDays(5 * 365);
    /** Re-issue a member's certificate when it has less than this left. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(90);
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private ClusterCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A new CA for the cluster: CA:true (path length 0), may sign certificates and CRLs only. */
    public static ClusterCa generate(String clusterName) {
        try {
            KeyPair pair = newKeyPair();
            X500Name subject = name("pgfly " + clusterName + " CA");
            Instant now = Instant.now();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new ClusterCa(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot generate the cluster's CA: " + e.getMessage(), e);
        }
    }

    /** The CA from its PEM files (as written by {@link #certificatePem()} and {@link #keyPem()}). */
    public static ClusterCa fromPem(String certificatePem, String keyPem) {
        return new ClusterCa(parseCertificate(certificatePem), parseKey(keyPem));
    }

    /**
     * A server certificate for one member, signed by this CA. {@code addresses} are IP literals or DNS
     * names: the member's own address and every address clients dial to reach it, the proxies' above all,
     * because through a proxy a {@code verify-full} client checks the member's certificate against the
     * proxy's host name.
     */
    public MemberCertificate issue(String commonName, Collection<String> addresses) {
        try {
            KeyPair pair = newKeyPair();
            Instant now = Instant.now();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            List<ASN1Encodable> names = new ArrayList<>();
            for (String a : new LinkedHashSet<>(addresses)) {
                names.add(isIpLiteral(a) ? new GeneralName(GeneralName.iPAddress, a) : new GeneralName(GeneralName.dNSName, a));
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("a server certificate needs at least one address");
            }
            Instant notAfter = now.plus(MEMBER_VALIDITY);
            if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
                notAfter = certificate.getNotAfter().toInstant();
            }
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(notAfter), name(commonName), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            org.bouncycastle.asn1.x509.GeneralNames.getInstance(new DERSequence(names.toArray(ASN1Encodable[]::new))))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return new MemberCertificate(pem(sign(b, key)), pkcs8Pem(pair.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String certificatePem() {
        return pem(certificate);
    }

    /** The CA's private key, PKCS#8 PEM: it stays in the cluster's secrets directory (0600). */
    public String keyPem() {
        return pkcs8Pem(key);
    }

    /**
     * Whether {@code certificatePem} must be issued again: not signed by this CA, missing one of
     * {@code addresses}, or within {@link #RENEW_BEFORE} of its end.
     */
    public boolean needsRenewal(String certificatePem, Collection<String> addresses) {
        try {
            X509Certificate c = parseCertificate(certificatePem);
            c.verify(certificate.getPublicKey());
            if (c.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
                return true;
            }
            return !subjectAltNames(c).containsAll(addresses);
        } catch (GeneralSecurityException | RuntimeException e) {
            return true;
        }
    }

    /** The subject alternative names of a certificate (IP addresses and DNS names), as text. */
    public static Set<String> subjectAltNames(X509Certificate c) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> all = c.getSubjectAlternativeNames();
            if (all != null) {
                all.forEach(entry -> names.add(String.valueOf(entry.get(1))));
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // no readable names: none match
        }
        return names;
    }

    /** SHA-256 of the DER encoding, as OpenSSL prints it: upper-case hex pairs joined by colons. */
    public static String fingerprintSha256(X509Certificate c) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate parseCertificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey parseKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                return new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
            }
            throw new IllegalArgumentException("not a PEM private key");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
        }
    }

    static boolean isIpLiteral(String address) {
        return IPV4.matcher(address).matches() || address.contains(":");
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "pgfly").addRDN(BCStyle.CN, commonName).build();
    }

    /** Positive, 127 random bits: serials must be unique per CA and unpredictable. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static String pem(X509Certificate c) {
        return writePem(c);
    }

    private static String pkcs8Pem(PrivateKey k) {
        try {
            return writePem(new JcaPKCS8Generator(k, null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String writePem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
