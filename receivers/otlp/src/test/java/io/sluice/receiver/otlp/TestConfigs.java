package io.sluice.receiver.otlp;

/** Receiver configurations for tests: ephemeral loopback ports. */
final class TestConfigs {
  private TestConfigs() {}

  static OtlpReceiverConfig ephemeral() {
    return new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(grpc(), http()));
  }

  static OtlpReceiverConfig.Grpc grpc() {
    OtlpReceiverConfig.Grpc d = OtlpReceiverConfig.Grpc.defaults();
    return new OtlpReceiverConfig.Grpc("127.0.0.1:0", d.maxRecvMsgSizeMib(), null, null, false);
  }

  static OtlpReceiverConfig.Http http() {
    OtlpReceiverConfig.Http d = OtlpReceiverConfig.Http.defaults();
    return new OtlpReceiverConfig.Http("127.0.0.1:0", d.maxRequestBodySize(), null, null, null, false,
        d.tracesUrlPath(), d.metricsUrlPath(), d.logsUrlPath());
  }
}
