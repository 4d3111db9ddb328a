package io.sluice.core.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test certificates made with the openssl command: a CA, and server and client certificates it signs. */
public final class Certs {
  /** Where the files are. */
  public final Path dir;

  private Certs(Path dir) {
    this.dir = dir;
  }

  /** The CA certificate (PEM). */
  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  /** A certificate (PEM) by name: {@code server} or {@code client}. */
  public Path cert(String name) {
    return dir.resolve(name + ".crt");
  }

  /** A PKCS#8 private key (PEM) by name: {@code server} or {@code client}. */
  public Path key(String name) {
    return dir.resolve(name + ".key");
  }

  /** A CA plus a {@code server} certificate for 127.0.0.1/localhost and a {@code client} one. */
  public static Certs create(Path dir) throws Exception {
    String openssl = Peers.require("openssl", "openssl").toString();
    run(dir, openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sluice-test-ca",
        "-keyout", "ca.key", "-out", "ca.crt");
    for (String name : List.of("server", "client")) {
      run(dir, openssl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
          "-keyout", name + ".key", "-out", name + ".csr");
      java.nio.file.Files.writeString(dir.resolve(name + ".ext"),
          "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=" + (name.equals("server") ? "serverAuth" : "clientAuth") + "\n");
      run(dir, openssl, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
          "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
      // PKCS#8 keys, which every Java TLS stack reads.
      run(dir, openssl, "pkcs8", "-topk8", "-nocrypt", "-in", name + ".key", "-out", name + ".pk8");
      java.nio.file.Files.move(dir.resolve(name + ".pk8"), dir.resolve(name + ".key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return new Certs(dir);
  }

  private static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
  }
}
