package io.sluice.it;

import com.github.loki4j.pkg.loki.protobuf.Push.EntryAdapter;
import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.github.loki4j.pkg.loki.protobuf.Push.StreamAdapter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xerial.snappy.Snappy;

/** A Loki push endpoint for tests, decoding with the official loki-protobuf classes and snappy. */
final class LokiBackend implements AutoCloseable {
  /** One decoded entry with its stream's labels. */
  record Entry(String labels, EntryAdapter entry) {
    String metadata(String name) {
      return entry.getStructuredMetadataList().stream().filter(m -> m.getName().equals(name))
          .map(m -> m.getValue()).findFirst().orElse(null);
    }
  }

  final List<PushRequest> pushes = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  LokiBackend() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/loki/api/v1/push", this::handle);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/loki/api/v1/push";
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      pushes.add(PushRequest.parseFrom(Snappy.uncompress(body)));
      ex.sendResponseHeaders(204, -1);
    }
  }

  List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    for (PushRequest p : pushes) {
      for (StreamAdapter s : p.getStreamsList()) {
        for (EntryAdapter e : s.getEntriesList()) {
          out.add(new Entry(s.getLabels(), e));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
