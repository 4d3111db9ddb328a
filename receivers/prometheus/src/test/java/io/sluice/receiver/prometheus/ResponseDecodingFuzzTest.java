package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.encoding.StreamDecoder;
import com.linecorp.armeria.common.encoding.StreamDecoderFactory;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.compression.DecompressionException;
import java.util.List;

/**
 * Compressed scrape responses: the scrape client ({@code DecodingClient} in {@link ScrapeLoop})
 * accepts gzip and deflate and decodes them with Armeria's decoders, which get {@code
 * body_size_limit} as their limit. Whatever the bytes, a decoder gives at most the limit, refuses
 * more with {@link ContentTooLargeException} and corrupt data with {@link DecompressionException}.
 * Seeds: a page in each encoding, and 2 MiB of zeros as gzip.
 */
class ResponseDecodingFuzzTest {
  private static final List<StreamDecoderFactory> DECODERS =
      List.of(StreamDecoderFactory.gzip(), StreamDecoderFactory.deflate());
  /** A body_size_limit of 64 KiB, and one of a byte to reach the edge. */
  private static final int[] LIMITS = {1, 64 * 1024};

  @FuzzTest(maxDuration = "30s")
  void staysWithinBodySizeLimit(byte[] body) {
    for (StreamDecoderFactory factory : DECODERS) {
      for (int limit : LIMITS) {
        StreamDecoder decoder = factory.newDecoder(ByteBufAllocator.DEFAULT, limit);
        long total = 0;
        try {
          // Two chunks, as a body arrives over the network.
          int half = body.length / 2;
          total += length(decoder.decode(HttpData.copyOf(body, 0, half)));
          total += length(decoder.decode(HttpData.copyOf(body, half, body.length - half)));
          total += length(decoder.finish());
        } catch (ContentTooLargeException | DecompressionException e) {
          // The two refusals the decoders declare; the scrape fails with the message.
        }
        assertThat(total).as("%s with limit %d", factory.encodingHeaderValue(), limit).isLessThanOrEqualTo(limit);
      }
    }
  }

  private static int length(HttpData data) {
    try (data) {
      return data.length();
    }
  }
}
