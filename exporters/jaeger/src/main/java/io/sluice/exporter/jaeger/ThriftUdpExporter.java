package io.sluice.exporter.jaeger;

import io.jaegertracing.thriftjava.Batch;
import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.PipelineException;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.Traces;
import io.sluice.exporter.jaeger.internal.JaegerTranslator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends compact-protocol Thrift {@code Agent.emitBatch} datagrams to a Jaeger agent. A blocking
 * {@link DatagramChannel} send may wait for socket buffer space, so encoding and sending run on one
 * dedicated thread fed by a bounded queue; a full queue refuses the push as retryable.
 *
 * <p>A span whose encoding alone exceeds {@code max_packet_size} cannot be sent: it is dropped,
 * counted in {@code sluice_exporter_jaeger_oversized_spans}, warned about at most once per interval,
 * and reported to the exporter helper as a permanent failure of just those items.
 */
final class ThriftUdpExporter implements Exporter {
  static final String OVERSIZED_METRIC = "sluice_exporter_jaeger_oversized_spans";
  static final String DATAGRAMS_METRIC = "sluice_exporter_jaeger_datagrams_sent";
  private static final Logger logger = LoggerFactory.getLogger(ThriftUdpExporter.class);
  private static final int QUEUE_CAPACITY = 64;

  private final JaegerConfig config;
  private final String endpoint;
  private final SelfTelemetry.Counter oversizedSpans;
  private final SelfTelemetry.Counter datagramsSent;
  private final ThrottledLogger oversizedLog = new ThrottledLogger(logger, Duration.ofSeconds(30));
  private volatile ThreadPoolExecutor sender;
  private DatagramChannel channel;
  private DatagramPacker packer;
  private InetSocketAddress target;

  ThriftUdpExporter(ComponentContext context, JaegerConfig config) {
    this.config = config;
    this.endpoint = config.effectiveEndpoint();
    this.oversizedSpans = context.telemetry().counter(OVERSIZED_METRIC,
        "Spans dropped because their encoding alone exceeds max_packet_size.");
    this.datagramsSent = context.telemetry().counter(DATAGRAMS_METRIC,
        "UDP datagrams sent to the Jaeger agent.");
  }

  @Override
  public void start() throws IOException {
    channel = DatagramChannel.open();
    packer = new DatagramPacker((int) config.maxPacketSize().bytes());
    target = address();
    sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
        r -> {
          Thread t = new Thread(r, "jaeger-udp-sender");
          t.setDaemon(true);
          return t;
        });
  }

  private InetSocketAddress address() {
    int colon = endpoint.lastIndexOf(':');
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host.isEmpty() ? "localhost" : host,
        Integer.parseInt(endpoint.substring(colon + 1)));
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData data) {
    ThreadPoolExecutor s = sender;
    if (s == null) {
      return CompletableFuture.failedFuture(PipelineException.retryable("jaeger exporter is not started"));
    }
    SendTask task = new SendTask((Traces) data);
    try {
      s.execute(task);
      return task.result;
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(PipelineException.retryable(
          "jaeger UDP sender queue is full (" + QUEUE_CAPACITY + " batches)"));
    }
  }

  /** Runs on the sender thread. */
  private void send(Traces data) {
    if (target.isUnresolved()) {
      // The agent's name may resolve later (e.g. a container started after us).
      target = address();
      if (target.isUnresolved()) {
        throw PipelineException.retryable("cannot resolve Jaeger agent host of " + endpoint);
      }
    }
    List<Batch> batches = JaegerTranslator.toBatches(data);
    int oversized = 0;
    try {
      for (Batch b : batches) {
        oversized += packer.pack(b, this::write);
      }
    } catch (TException e) {
      throw PipelineException.permanent("cannot encode Jaeger batch: " + e, e);
    } catch (UncheckedIOException e) {
      throw PipelineException.retryable("sending to Jaeger agent " + endpoint + " failed: " + e.getCause(), e.getCause());
    }
    if (oversized > 0) {
      oversizedSpans.add(oversized);
      oversizedLog.warn("dropped {} spans larger than max_packet_size = {} bytes on their own",
          oversized, config.maxPacketSize().bytes());
      throw PipelineException.permanent(oversized + " spans exceed max_packet_size = "
          + config.maxPacketSize().bytes() + " bytes").withRejectedItems(oversized);
    }
  }

  private void write(ByteBuffer datagram) {
    try {
      channel.send(datagram, target);
      datagramsSent.increment();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void abandon(ThreadPoolExecutor s) {
    List<Runnable> left = s.shutdownNow();
    logger.warn("jaeger UDP sender did not finish its queue in time; {} batches not sent", left.size());
    for (Runnable r : left) {
      ((SendTask) r).result.completeExceptionally(
          PipelineException.retryable("jaeger exporter shut down before sending"));
    }
  }

  /** One push: its future completes with the send's outcome, always a {@link PipelineException}. */
  private final class SendTask implements Runnable {
    final CompletableFuture<Void> result = new CompletableFuture<>();
    private final Traces data;

    SendTask(Traces data) {
      this.data = data;
    }

    @Override
    public void run() {
      try {
        send(data);
        result.complete(null);
      } catch (RuntimeException e) {
        result.completeExceptionally(PipelineException.from(e));
      }
    }
  }

  @Override
  public void shutdown() {
    ThreadPoolExecutor s = sender;
    sender = null;
    if (s == null) {
      return;
    }
    // Let queued batches go out, then close.
    s.shutdown();
    try {
      if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
          abandon(s);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon(s);
    }
    try {
      channel.close();
    } catch (IOException e) {
      logger.debug("closing the UDP channel failed", e);
    }
  }
}
