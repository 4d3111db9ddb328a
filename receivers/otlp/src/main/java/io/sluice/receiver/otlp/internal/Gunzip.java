package io.sluice.receiver.otlp.internal;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Gzip (RFC 1952) decoding of a request body held in memory, with one {@link Inflater} per thread
 * reused across requests. {@code GZIPInputStream} allocates a new {@code Inflater} (native zlib
 * state and a {@code Cleaner} registration) and an input buffer per request; at 100 requests a
 * second that was a third of the time the receiver spent on gzip.
 *
 * <p>It accepts and refuses exactly what {@code GZIPInputStream} does (as of JDK 23, which reads
 * data after a member as a further member if it starts with a valid header and ignores it
 * otherwise; JDK-7036144), with the same messages. {@link DecompressionFuzzTest} compares the two.
 */
final class Gunzip {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  /** Deflate cannot expand data more than about 1032 to 1; a larger ISIZE is not this body's. */
  private static final long MAX_RATIO = 1032;

  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

  private Gunzip() {}

  /**
   * Decodes the gzip bytes {@code body[offset, offset + length)}, refusing to produce more than
   * {@code maxBytes}.
   *
   * @throws Decompression.TooLargeException past {@code maxBytes}
   * @throws IOException for corrupt or truncated input, with the message {@code GZIPInputStream}
   *     gives (null where it gives none)
   */
  static byte[] decode(byte[] body, int offset, int length, long maxBytes) throws IOException {
    Inflater inflater = INFLATERS.get();
    try {
      return new Run(body, offset, offset + length, maxBytes, inflater).decode();
    } finally {
      inflater.reset();
    }
  }

  /** The state of one decoding. */
  private static final class Run {
    private final byte[] in;
    private final int end;
    private final long max;
    private final Inflater inflater;
    private final int start;
    private byte[] out;
    private int produced;

    Run(byte[] in, int start, int end, long max, Inflater inflater) {
      this.in = in;
      this.end = end;
      this.max = max;
      this.inflater = inflater;
      this.start = start;
      this.out = new byte[initialCapacity(in, start, end, max)];
    }

    byte[] decode() throws IOException {
      int member = header(start);
      while (true) {
        int deflateEnd = inflate(member);
        need(deflateEnd, 4);
        if (readInt(deflateEnd) != crc()) {
          throw new ZipException("Corrupt GZIP trailer");
        }
        need(deflateEnd + 4, 4);
        if (readInt(deflateEnd + 4) != (int) inflater.getBytesWritten()) {
          throw new ZipException("Corrupt GZIP trailer");
        }
        int next = deflateEnd + 8;
        if (next == end) {
          break;
        }
        try {
          member = header(next);
        } catch (IOException notAHeader) {
          break;
        }
        inflater.reset();
      }
      return produced == out.length ? out : Arrays.copyOf(out, produced);
    }

    /**
     * Checks the member header at {@code at}, in the order {@code GZIPInputStream} reads it;
     * returns where the member's deflate data starts.
     */
    private int header(int at) throws IOException {
      need(at, 2);
      if ((in[at] & 0xff) != 0x1f || (in[at + 1] & 0xff) != 0x8b) {
        throw new ZipException("Not in GZIP format");
      }
      need(at + 2, 1);
      if (in[at + 2] != 8) {
        throw new ZipException("Unsupported compression method");
      }
      need(at + 3, 7);
      int flags = in[at + 3] & 0xff;
      int p = at + 10;
      if ((flags & FEXTRA) != 0) {
        need(p, 2);
        p += 2;
        int extra = (in[p - 2] & 0xff) | (in[p - 1] & 0xff) << 8;
        need(p, extra);
        p += extra;
      }
      if ((flags & FNAME) != 0) {
        p = afterZero(p);
      }
      if ((flags & FCOMMENT) != 0) {
        p = afterZero(p);
      }
      if ((flags & FHCRC) != 0) {
        need(p, 2);
        CRC32 crc = new CRC32();
        crc.update(in, at, p - at);
        if (((in[p] & 0xff) | (in[p + 1] & 0xff) << 8) != ((int) crc.getValue() & 0xffff)) {
          throw new ZipException("Corrupt GZIP header");
        }
        p += 2;
      }
      return p;
    }

    private void need(int at, int count) throws EOFException {
      if ((long) at + count > end) {
        throw new EOFException();
      }
    }

    private int afterZero(int from) throws EOFException {
      for (int p = from; p < end; p++) {
        if (in[p] == 0) {
          return p + 1;
        }
      }
      throw new EOFException();
    }

    /** Inflates the member's deflate data from {@code from}; returns where the data ended. */
    private int inflate(int from) throws IOException {
      inflater.setInput(in, from, end - from);
      try {
        while (!inflater.finished()) {
          if (produced == out.length) {
            grow();
          }
          int n = inflater.inflate(out, produced, out.length - produced);
          produced += n;
          if (produced > max) {
            throw Decompression.tooLarge(max);
          }
          if (n == 0 && inflater.needsInput()) {
            throw new EOFException("Unexpected end of ZLIB input stream");
          }
        }
      } catch (DataFormatException e) {
        throw new ZipException(e.getMessage() != null ? e.getMessage() : "Invalid ZLIB data format");
      }
      return end - inflater.getRemaining();
    }

    private void grow() throws Decompression.TooLargeException {
      if (produced > max) {
        throw Decompression.tooLarge(max);
      }
      long next = Math.min((long) out.length * 2, Math.min(max + 1, Integer.MAX_VALUE - 8L));
      out = Arrays.copyOf(out, (int) Math.max(next, out.length + 1L));
    }

    /** The CRC-32 of what the current member produced. */
    private int crc() {
      CRC32 crc = new CRC32();
      long written = inflater.getBytesWritten();
      crc.update(out, (int) (produced - written), (int) written);
      return (int) crc.getValue();
    }

    private int readInt(int p) {
      return (in[p] & 0xff) | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16 | (in[p + 3] & 0xff) << 24;
    }

    /**
     * The trailer's ISIZE (what the last member inflates to, modulo 2^32) when it is plausible, so
     * that a single-member body is inflated into an array of exactly its size; else a guess.
     */
    private static int initialCapacity(byte[] in, int start, int end, long max) {
      long cap = Math.max(256L, (end - start) * 4L);
      if (end - start >= 18) {
        long isize = (in[end - 4] & 0xff) | (in[end - 3] & 0xff) << 8 | (in[end - 2] & 0xff) << 16
            | (long) (in[end - 1] & 0xff) << 24;
        if (isize > 0 && isize <= (end - start) * MAX_RATIO) {
          cap = isize;
        }
      }
      return (int) Math.min(cap, Math.min(max + 1, Integer.MAX_VALUE - 8L));
    }
  }
}
