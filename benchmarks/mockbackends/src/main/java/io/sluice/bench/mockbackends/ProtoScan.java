package io.sluice.bench.mockbackends;

/**
 * Counts repeated protobuf fields at a path without decoding messages: it walks tags and lengths
 * only, descending into the length-delimited fields named at each level. This keeps the mock back
 * ends' CPU per request far below the daemon's, so the figures measure the daemon.
 */
final class ProtoScan {
  /** ExportTraceServiceRequest.resource_spans / ResourceSpans.scope_spans / ScopeSpans.spans. */
  static final int[][] SPANS = {{1}, {2}, {2}};
  /** ... / ScopeMetrics.metrics / Metric.{gauge,sum,histogram,exponential_histogram,summary} / data_points. */
  static final int[][] METRIC_POINTS = {{1}, {2}, {2}, {5, 7, 9, 10, 11}, {1}};
  /** ExportLogsServiceRequest.resource_logs / ResourceLogs.scope_logs / ScopeLogs.log_records. */
  static final int[][] LOG_RECORDS = {{1}, {2}, {2}};
  /** Remote write WriteRequest.timeseries / TimeSeries.{samples,histograms}. */
  static final int[][] RW_SAMPLES = {{1}, {2, 4}};
  /** Loki PushRequest.streams / StreamAdapter.entries. */
  static final int[][] LOKI_ENTRIES = {{1}, {2}};

  private ProtoScan() {}

  /**
   * The number of fields at the end of {@code path} in the message {@code buf}.
   *
   * @throws IllegalArgumentException if the bytes are not a protobuf message
   */
  static long count(byte[] buf, int[][] path) {
    return count(buf, 0, buf.length, path, 0);
  }

  private static long count(byte[] buf, int pos, int end, int[][] path, int depth) {
    long n = 0;
    boolean last = depth == path.length - 1;
    while (pos < end) {
      long tag = 0;
      int shift = 0;
      byte b;
      do {
        check(pos < end);
        b = buf[pos++];
        tag |= (long) (b & 0x7f) << shift;
        shift += 7;
      } while (b < 0);
      int field = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case 0 -> {
          do {
            check(pos < end);
          } while (buf[pos++] < 0);
        }
        case 1 -> pos += 8;
        case 5 -> pos += 4;
        case 2 -> {
          long len = 0;
          shift = 0;
          do {
            check(pos < end);
            b = buf[pos++];
            len |= (long) (b & 0x7f) << shift;
            shift += 7;
          } while (b < 0);
          check(len >= 0 && pos + len <= end);
          if (contains(path[depth], field)) {
            n += last ? 1 : count(buf, pos, pos + (int) len, path, depth + 1);
          }
          pos += (int) len;
        }
        default -> throw new IllegalArgumentException("unsupported wire type in tag " + tag);
      }
    }
    check(pos == end);
    return n;
  }

  private static boolean contains(int[] fields, int field) {
    for (int f : fields) {
      if (f == field) {
        return true;
      }
    }
    return false;
  }

  private static void check(boolean ok) {
    if (!ok) {
      throw new IllegalArgumentException("truncated or malformed protobuf message");
    }
  }
}
