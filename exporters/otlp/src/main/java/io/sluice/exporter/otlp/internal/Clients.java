package io.sluice.exporter.otlp.internal;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import io.sluice.exporter.otlp.ClientTls;
import java.io.File;

/** Builds the Armeria client factory of an OTLP exporter from its {@code tls} options. */
public final class Clients {
  private Clients() {}

  /** A client factory that verifies and presents certificates as {@code tls} says. */
  public static ClientFactory factory(ClientTls tls) {
    ClientFactoryBuilder b = ClientFactory.builder();
    if (tls.insecureSkipVerify()) {
      b.tlsNoVerify();
    }
    if (!tls.caFile().isEmpty() || !tls.certFile().isEmpty()) {
      b.tlsCustomizer(ssl -> {
        if (!tls.caFile().isEmpty() && !tls.insecureSkipVerify()) {
          ssl.trustManager(new File(tls.caFile()));
        }
        if (!tls.certFile().isEmpty()) {
          ssl.keyManager(new File(tls.certFile()), new File(tls.keyFile()));
        }
      });
    }
    return b.build();
  }
}
