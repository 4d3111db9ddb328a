package io.sluice.core.extension.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.ComponentFactory;
import io.sluice.api.HealthStatus;
import io.sluice.api.config.ComponentConfig;
import io.sluice.core.service.StatusRegistry;
import io.sluice.api.config.ServerTls;
import io.sluice.core.testing.Certs;
import io.sluice.core.testing.ComponentContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckExtensionTest extends ComponentContractTest {
  @Override
  protected ComponentFactory<?> factory() {
    return new HealthCheckFactory();
  }

  @Override
  protected ComponentConfig lifecycleConfig() {
    return new HealthCheckConfig("127.0.0.1:0", "/", false, null);
  }

  private static HttpResponse<String> get(HealthCheckExtension ext, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ext.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answers503NamingTheUnhealthyComponentThen200() throws Exception {
    StatusRegistry registry = new StatusRegistry();
    registry.report("receiver/otlp", HealthStatus.STARTING, "");
    registry.report("exporter/otlp", HealthStatus.RECOVERABLE_ERROR, "connection refused");
    HealthCheckExtension ext = new HealthCheckExtension(new HealthCheckConfig("127.0.0.1:0", "/health", false, null), registry);
    ext.start();
    try {
      var starting = get(ext, "/health");
      assertThat(starting.statusCode()).isEqualTo(503);
      assertThat(starting.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(starting.body()).isEqualTo("{\"status\":\"Server not available\",\"running\":false,"
          + "\"unhealthy\":{\"receiver/otlp\":{\"status\":\"STARTING\",\"message\":\"\"}}}");

      registry.report("receiver/otlp", HealthStatus.OK, "");
      registry.setRunning(true);
      var ok = get(ext, "/health");
      assertThat(ok.statusCode()).as("a recoverable error does not fail the check by default").isEqualTo(200);
      assertThat(ok.body()).contains("\"status\":\"Server available\"");
      assertThat(get(ext, "/other").statusCode()).isEqualTo(404);
    } finally {
      ext.shutdown();
    }
  }

  @Test
  void includeRecoverableCountsABackEndThatIsDown() throws Exception {
    StatusRegistry registry = new StatusRegistry();
    registry.setRunning(true);
    registry.report("exporter/otlp", HealthStatus.RECOVERABLE_ERROR, "connection refused");
    HealthCheckExtension ext = new HealthCheckExtension(new HealthCheckConfig("127.0.0.1:0", "/", true, null), registry);
    ext.start();
    try {
      var r = get(ext, "/");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("\"exporter/otlp\":{\"status\":\"RECOVERABLE_ERROR\",\"message\":\"connection refused\"}");
    } finally {
      ext.shutdown();
    }
  }

  @Test
  void servesHttpsAndWithAClientCaRefusesClientsWithoutCertificate(@TempDir Path dir) throws Exception {
    Certs certs = Certs.create(dir);
    StatusRegistry registry = new StatusRegistry();
    registry.setRunning(true);
    ServerTls mtls = new ServerTls(certs.cert("server").toString(), certs.key("server").toString(),
        certs.caCert().toString(), "1.2");
    HealthCheckExtension ext = new HealthCheckExtension(new HealthCheckConfig("127.0.0.1:0", "/", false, mtls), registry);
    ext.start();
    try {
      URI uri = URI.create("https://127.0.0.1:" + ext.port() + "/");
      HttpClient withCert = HttpClient.newBuilder().sslContext(clientContext(certs, true)).build();
      assertThat(withCert.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
      HttpClient withoutCert = HttpClient.newBuilder().sslContext(clientContext(certs, false)).build();
      assertThatThrownBy(() -> withoutCert.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(ext, "/")).as("plain HTTP is not served").isInstanceOf(IOException.class);
    } finally {
      ext.shutdown();
    }
  }

  /** A client trusting the test CA, with the test client certificate if {@code withCert}. */
  private static SSLContext clientContext(Certs certs, boolean withCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = Files.newInputStream(certs.caCert())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withCert) {
      String pem = Files.readString(certs.key("client")).replaceAll("-----[A-Z ]+-----|\\s", "");
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      try (var in = Files.newInputStream(certs.cert("client"))) {
        ks.setKeyEntry("client", key, new char[0], new Certificate[] {CertificateFactory.getInstance("X.509").generateCertificate(in)});
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
