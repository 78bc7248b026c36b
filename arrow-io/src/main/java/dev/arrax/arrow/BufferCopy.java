package dev.arrax.arrow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Bulk copies between Arrow buffers and Java primitive arrays. Each copy goes through a little-endian
 * {@link ByteBuffer} view of the off-heap memory ({@link ArrowBuf#nioBuffer(long, int)}), whose bulk
 * {@code get}/{@code put} is a single memory copy when the view's order is the platform's (Arrow's buffers are
 * little-endian, as is every platform Arrow Java runs on). Views take an {@code int} length, so copies are cut
 * into chunks of at most 1 GiB.
 */
final class BufferCopy {
  private static final int CHUNK_BYTES = 1 << 30;

  private BufferCopy() {}

  private static ByteBuffer view(ArrowBuf buf, long byteIndex, int byteLength) {
    return buf.nioBuffer(byteIndex, byteLength).order(ByteOrder.LITTLE_ENDIAN);
  }

  static void readFloats(ArrowBuf buf, long first, float[] dst, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 4; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 4L, m * 4).asFloatBuffer().get(dst, off + done, m);
    }
  }

  static void readDoubles(ArrowBuf buf, long first, double[] dst, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 8; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 8L, m * 8).asDoubleBuffer().get(dst, off + done, m);
    }
  }

  static void readInts(ArrowBuf buf, long first, int[] dst, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 4; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 4L, m * 4).asIntBuffer().get(dst, off + done, m);
    }
  }

  static void readLongs(ArrowBuf buf, long first, long[] dst, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 8; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 8L, m * 8).asLongBuffer().get(dst, off + done, m);
    }
  }

  static void writeFloats(ArrowBuf buf, long first, float[] src, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 4; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 4L, m * 4).asFloatBuffer().put(src, off + done, m);
    }
  }

  static void writeDoubles(ArrowBuf buf, long first, double[] src, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 8; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 8L, m * 8).asDoubleBuffer().put(src, off + done, m);
    }
  }

  static void writeInts(ArrowBuf buf, long first, int[] src, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 4; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 4L, m * 4).asIntBuffer().put(src, off + done, m);
    }
  }

  static void writeLongs(ArrowBuf buf, long first, long[] src, int off, int n) {
    for (int done = 0, chunk = CHUNK_BYTES / 8; done < n; done += chunk) {
      int m = Math.min(chunk, n - done);
      view(buf, (first + done) * 8L, m * 8).asLongBuffer().put(src, off + done, m);
    }
  }

  /** Unpacks bits {@code [firstBit, firstBit + n)} (LSB first, Arrow's order) into {@code dst[off..]}. */
  static void readBits(ArrowBuf buf, long firstBit, boolean[] dst, int off, int n) {
    if (n == 0) return;
    long firstByte = firstBit >>> 3;
    long endByte = (firstBit + n + 7) >>> 3;
    byte[] bytes = new byte[(int) (endByte - firstByte)];
    buf.getBytes(firstByte, bytes, 0, bytes.length);
    int shift = (int) (firstBit & 7);
    for (int i = 0; i < n; i++) {
      int bit = shift + i;
      dst[off + i] = ((bytes[bit >>> 3] >>> (bit & 7)) & 1) != 0;
    }
  }

  /**
   * Packs {@code src[off..off+n)} into bits {@code [0, n)} of {@code buf}; {@code src == null} means all set.
   * The unused high bits of the last byte are cleared.
   */
  static void writeBits(ArrowBuf buf, boolean[] src, int off, int n) {
    if (n == 0) return;
    byte[] bytes = new byte[(n + 7) >>> 3];
    if (src == null) {
      java.util.Arrays.fill(bytes, (byte) 0xff);
      if ((n & 7) != 0) bytes[bytes.length - 1] = (byte) ((1 << (n & 7)) - 1);
    } else {
      for (int i = 0; i < n; i++) {
        if (src[off + i]) bytes[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    buf.setBytes(0, bytes, 0, bytes.length);
  }
}
