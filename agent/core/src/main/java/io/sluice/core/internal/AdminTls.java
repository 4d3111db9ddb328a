package io.sluice.core.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.sluice.api.config.ServerTls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the admin endpoints (self-metrics, {@code health_check}), which run on the JDK's HTTP
 * server: builds an {@link HttpsConfigurator} from the same PEM files and options as the OTLP
 * receiver's {@code tls} section.
 */
public final class AdminTls {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----(.+?)-----END PRIVATE KEY-----", Pattern.DOTALL);

  private AdminTls() {}

  /**
   * The configurator for {@code tls}: its certificate and key, TLS versions from {@code
   * min_version}, and client certificates required when {@code client_ca_file} is set.
   *
   * @throws IOException naming the file that cannot be used and why
   */
  public static HttpsConfigurator configurator(ServerTls tls) throws IOException {
    SSLContext ctx;
    try {
      ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers(tls), trustManagers(tls), null);
    } catch (GeneralSecurityException e) {
      throw new IOException("tls: cannot use cert_file " + tls.certFile() + " with key_file " + tls.keyFile() + ": " + e.getMessage(), e);
    }
    boolean mtls = !tls.clientCaFile().isEmpty();
    return new HttpsConfigurator(ctx) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = getSSLContext().getDefaultSSLParameters();
        p.setProtocols(tls.protocols());
        p.setNeedClientAuth(mtls);
        params.setSSLParameters(p);
      }
    };
  }

  private static KeyManager[] keyManagers(ServerTls tls) throws IOException, GeneralSecurityException {
    List<Certificate> chain = certificates(Path.of(tls.certFile()), "cert_file");
    PrivateKey key = privateKey(Path.of(tls.keyFile()), chain.get(0).getPublicKey().getAlgorithm());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", key, new char[0], chain.toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return kmf.getKeyManagers();
  }

  private static TrustManager[] trustManagers(ServerTls tls) throws IOException, GeneralSecurityException {
    if (tls.clientCaFile().isEmpty()) {
      return null;
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    int i = 0;
    for (Certificate c : certificates(Path.of(tls.clientCaFile()), "client_ca_file")) {
      ts.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    return tmf.getTrustManagers();
  }

  private static List<Certificate> certificates(Path file, String key) throws IOException, GeneralSecurityException {
    List<Certificate> certs;
    try (InputStream in = Files.newInputStream(file)) {
      certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (certs.isEmpty()) {
      throw new IOException("tls." + key + ": " + file + " holds no PEM certificate");
    }
    return certs;
  }

  private static PrivateKey privateKey(Path file, String algorithm) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file);
    Matcher m = PKCS8.matcher(pem);
    if (!m.find()) {
      throw new IOException("tls.key_file: " + file + " holds no unencrypted PKCS#8 key (\"BEGIN PRIVATE KEY\"); "
          + "convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
  }
}
