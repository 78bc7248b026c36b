package dev.arrax.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ValueVectorUtility;

/**
 * Arrow IPC reading with every length checked before it is trusted, and every buffer released when the input
 * turns out to be bad. Arrow's own readers read a stream cut at a message boundary as a shorter stream, trust
 * a metadata length before allocating it, and leak a message body when its metadata does not decode; this
 * reader parses the framing itself (continuation marker, metadata length, flatbuffer, body) and hands Arrow only
 * the decoding of well-framed messages, each batch then checked with {@link ValueVectorUtility#validateFull}.
 *
 * <p>Framing, from the Arrow columnar format: a message is {@code 0xFFFFFFFF}, a little-endian int32 metadata
 * length {@code m}, {@code m} bytes of flatbuffer (padded), then {@code bodyLength} bytes of body; a stream is a
 * schema message, batches, and the end-of-stream marker {@code 0xFFFFFFFF 0x00000000} (older writers: a 4-byte
 * length without the marker, and {@code 0x00000000} at the end). A file is {@code ARROW1\0\0}, a stream, a
 * footer flatbuffer, its int32 length and {@code ARROW1}; the footer's blocks locate each batch.
 */
final class IpcInput {
  private static final int CONTINUATION = 0xFFFFFFFF;
  private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
  /** Metadata larger than this is taken as corrupt: real schemas and batch headers are kilobytes. */
  private static final int MAX_METADATA = 64 << 20;
  /** Stream bodies larger than this are read in chunks before the full buffer is allocated (see {@link #body}). */
  private static final long CHUNK = 8L << 20;

  private final ReadableByteChannel in;
  private final BufferAllocator allocator;
  private final String source;
  /** Absolute byte offset of the next byte read. */
  private long pos;
  /** Absolute offset the messages must end by; -1 when unknown (a stream). */
  private long end;
  /** Whether the last {@link #next} that returned null met the end-of-stream marker (else the input ended). */
  boolean sawEndMarker;
  int batchesRead;
  long rowsRead;

  private IpcInput(ReadableByteChannel in, BufferAllocator allocator, String source, long pos, long end) {
    this.in = in;
    this.allocator = allocator;
    this.source = source;
    this.pos = pos;
    this.end = end;
  }

  /** One framed message: its metadata, its body (never null; an empty buffer when there is none) and where it began. */
  record Msg(Message message, ArrowBuf body, long offset, long metadataEnd) {
    byte type() { return message.headerType(); }
  }

  // ---- the two formats ----

  /** Reads a whole stream; the caller owns the returned batches. */
  static ArrowIpc.Batches readStream(ReadableByteChannel in, BufferAllocator allocator, String source) throws IOException {
    IpcInput r = new IpcInput(in, allocator, source, 0, -1);
    return r.collect(out -> {
      Msg first = r.next();
      if (first == null) {
        throw r.error(-1, r.sawEndMarker ? "the stream ends (end-of-stream marker) before its schema message"
            : r.pos == 0 ? "the input is empty: an Arrow IPC stream starts with a schema message" : "the stream ends before its schema message", null);
      }
      Schema schema = r.schemaOf(first);
      while (true) {
        Msg m = r.next();
        if (m == null) {
          if (r.sawEndMarker) break;
          throw r.error(r.batchesRead, "the stream was cut: it ends at byte " + r.pos + " after " + r.batchesRead + " batches ("
              + r.rowsRead + " rows) without the end-of-stream marker, so batches after these may be missing; re-send the whole"
              + " stream (ArrowIpc.writeStream and Arrow's stream writers always end it with the marker)", null);
        }
        out.add(r.batch(m, schema, r.batchesRead));
      }
      return new ArrowIpc.Batches(schema, out);
    });
  }

  /** Reads a whole file through its footer; the caller owns the returned batches. */
  static ArrowIpc.Batches readFile(FileChannel ch, BufferAllocator allocator, String source) throws IOException {
    long size = ch.size();
    IpcInput r = new IpcInput(ch, allocator, source, 0, size);
    return r.collect(out -> {
      if (size < 8 + 10) {
        throw r.error(-1, "the file has " + size + " bytes, too few for an Arrow IPC file (magic, schema, footer); it is empty"
            + " or was cut short", null);
      }
      ByteBuffer head = r.readAt(0, 6);
      if (!head.equals(ByteBuffer.wrap(MAGIC))) {
        throw r.error(-1, "the file does not start with the Arrow magic 'ARROW1' (is it an Arrow IPC stream? use ArrowIpc.readStream)", null);
      }
      ByteBuffer tail = r.readAt(size - 10, 10).order(ByteOrder.LITTLE_ENDIAN);
      if (!tail.slice(4, 6).equals(ByteBuffer.wrap(MAGIC))) {
        throw r.error(-1, "the file does not end with the Arrow magic 'ARROW1': it was cut short or is not an Arrow IPC file", null);
      }
      int footerLength = tail.getInt(0);
      long footerStart = size - 10 - (long) footerLength;
      if (footerLength <= 0 || footerStart < 8) {
        throw r.error(-1, "the footer length " + footerLength + " does not fit in the file's " + size + " bytes", null);
      }
      ArrowFooter footer;
      try {
        footer = new ArrowFooter(Footer.getRootAsFooter(r.readAt(footerStart, footerLength)));
      } catch (RuntimeException e) {
        throw r.error(-1, "the footer (" + footerLength + " bytes at byte " + footerStart + ") is not a valid Arrow footer: " + e, e);
      }
      Schema schema = footer.getSchema();
      if (schema == null) throw r.error(-1, "the footer has no schema", null);
      if (!footer.getDictionaries().isEmpty()) {
        throw r.error(-1, "the file has dictionary batches; dictionary-encoded columns are not supported: decode them"
            + " (e.g. pyarrow's Table.cast to the value type) before writing", null);
      }
      List<ArrowBlock> blocks = footer.getRecordBatches();
      checkBlocks(r, blocks, footerStart);
      // The stream inside the file starts with the schema; a footer that disagrees with it is corrupt.
      r.end = footerStart;
      ch.position(8);
      r.pos = 8;
      Msg first = r.next();
      if (first == null) throw r.error(-1, "the file's stream has no schema message at byte 8", null);
      Schema streamSchema = r.schemaOf(first);
      if (!streamSchema.equals(schema)) {
        throw r.error(-1, "the footer's schema " + schema + " differs from the stream's schema " + streamSchema + " at byte 8", null);
      }
      for (int i = 0; i < blocks.size(); i++) {
        ArrowBlock b = blocks.get(i);
        ch.position(b.getOffset());
        r.pos = b.getOffset();
        r.end = b.getOffset() + b.getMetadataLength() + b.getBodyLength();
        Msg m = r.next();
        if (m == null) throw r.error(i, "footer block " + i + " at byte " + b.getOffset() + " holds no message", null);
        if (m.metadataEnd() - m.offset() != b.getMetadataLength() || m.message().bodyLength() != b.getBodyLength()) {
          long metaLen = m.metadataEnd() - m.offset();
          long bodyLen = m.message().bodyLength();
          m.body().close();
          throw r.error(i, "footer block " + i + " (metadata " + b.getMetadataLength() + " bytes, body " + b.getBodyLength()
              + " bytes) does not match the message at byte " + b.getOffset() + " (metadata " + metaLen + ", body " + bodyLen + ")", null);
        }
        out.add(r.batch(m, schema, i));
      }
      return new ArrowIpc.Batches(schema, out);
    });
  }

  /** What a reader does with the list it adds its batches to. */
  private interface Reading {
    ArrowIpc.Batches read(List<VectorSchemaRoot> out) throws IOException;
  }

  /**
   * Runs {@code reading} with an empty batch list; on any failure the batches read so far are closed and the failure
   * leaves as an {@link ArrowIpcException} (a runtime exception from Arrow is wrapped; an ArrowIpcException, a real I/O
   * failure or an Error is kept as it is).
   */
  private ArrowIpc.Batches collect(Reading reading) throws IOException {
    List<VectorSchemaRoot> out = new ArrayList<>();
    try {
      return reading.read(out);
    } catch (RuntimeException e) {
      for (VectorSchemaRoot b : out) b.close();
      throw wrap(e);
    } catch (IOException | Error e) {
      for (VectorSchemaRoot b : out) b.close();
      throw e;
    }
  }

  private static void checkBlocks(IpcInput r, List<ArrowBlock> blocks, long footerStart) throws ArrowIpcException {
    for (int i = 0; i < blocks.size(); i++) {
      ArrowBlock b = blocks.get(i);
      long off = b.getOffset();
      if (off < 8 || b.getMetadataLength() < 8 || b.getBodyLength() < 0 || off > footerStart
          || b.getMetadataLength() > footerStart - off || b.getBodyLength() > footerStart - off - b.getMetadataLength()) {
        throw r.error(i, "footer block " + i + " (offset " + off + ", metadata " + b.getMetadataLength() + " bytes, body "
            + b.getBodyLength() + " bytes) lies outside the file's data (bytes 8 to " + footerStart + ")", null);
      }
    }
    List<ArrowBlock> sorted = new ArrayList<>(blocks);
    sorted.sort(Comparator.comparingLong(ArrowBlock::getOffset));
    for (int i = 1; i < sorted.size(); i++) {
      ArrowBlock a = sorted.get(i - 1), b = sorted.get(i);
      if (a.getOffset() + a.getMetadataLength() + a.getBodyLength() > b.getOffset()) {
        throw r.error(-1, "footer blocks at bytes " + a.getOffset() + " and " + b.getOffset() + " overlap", null);
      }
    }
  }

  // ---- messages ----

  /** The next message, or null at the end-of-stream marker ({@link #sawEndMarker}) or where the input ends cleanly. */
  Msg next() throws IOException {
    sawEndMarker = false;
    long start = pos;
    ByteBuffer p = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    int n = read(p);
    if (n == 0) return null;
    if (n < 4) throw error(batchesRead, "the input ends inside the message prefix at byte " + start + " (" + n + " of 4 bytes)", null);
    int length = p.getInt(0);
    if (length == CONTINUATION) {
      p.clear();
      n = read(p);
      if (n < 4) throw error(batchesRead, "the input ends inside the message length at byte " + (start + 4) + " (" + n + " of 4 bytes)", null);
      length = p.getInt(0);
    }
    if (length == 0) {
      sawEndMarker = true;
      return null;
    }
    if (length < 0 || length > MAX_METADATA || (end >= 0 && length > end - pos)) {
      throw error(batchesRead, "the message at byte " + start + " declares " + length + " bytes of metadata, "
          + (end >= 0 && length > 0 ? "past the end of its data (byte " + end + ")" : "not a valid length"), null);
    }
    ByteBuffer meta = readUpTo(length);
    if (meta.remaining() < length) {
      throw error(batchesRead, "the input ends inside the metadata of the message at byte " + start + " (" + meta.remaining()
          + " of " + length + " bytes)", null);
    }
    long metadataEnd = pos;
    Message m;
    long bodyLength;
    try {
      m = Message.getRootAsMessage(meta);
      bodyLength = m.bodyLength();
      m.headerType();
    } catch (RuntimeException e) {
      throw error(batchesRead, "the metadata of the message at byte " + start + " is not a valid Arrow message: " + e, e);
    }
    if (bodyLength < 0 || (end >= 0 && bodyLength > end - pos)) {
      throw error(batchesRead, "the message at byte " + start + " declares a body of " + bodyLength + " bytes, "
          + (bodyLength < 0 ? "not a valid length" : "past the end of its data (byte " + end + ")"), null);
    }
    return new Msg(m, body(bodyLength, start), start, metadataEnd);
  }

  /** The schema of a schema message (its body, if any, released). */
  Schema schemaOf(Msg m) throws ArrowIpcException {
    try (ArrowBuf ignored = m.body()) {
      if (m.type() != MessageHeader.Schema) {
        throw error(-1, "the first message (byte " + m.offset() + ") is a " + typeName(m.type()) + ", not a schema", null);
      }
      return MessageSerializer.deserializeSchema(m.message());
    } catch (RuntimeException e) {
      throw error(-1, "the schema message at byte " + m.offset() + " does not decode: " + e, e);
    }
  }

  /** Decodes a record batch into a root of its own and validates it; the message body is released either way. */
  VectorSchemaRoot batch(Msg m, Schema schema, int index) throws IOException {
    ArrowRecordBatch rb = null;
    VectorSchemaRoot root = null;
    ArrowBuf body = m.body();
    try {
      if (m.type() == MessageHeader.DictionaryBatch) {
        throw error(index, "a dictionary batch at byte " + m.offset() + ": dictionary-encoded columns are not supported;"
            + " decode them to their value type before writing", null);
      }
      if (m.type() != MessageHeader.RecordBatch) {
        throw error(index, "a " + typeName(m.type()) + " message at byte " + m.offset() + " where a record batch or the end of"
            + " the stream was expected", null);
      }
      // Arrow releases the body once the batch holds its slices: from here the batch owns it.
      rb = MessageSerializer.deserializeRecordBatch(m.message(), body);
      body = null;
      checkSizes(rb, schema, index, m.offset());
      root = VectorSchemaRoot.create(schema, allocator);
      new VectorLoader(root).load(rb);
      ValueVectorUtility.validate(root);
      for (FieldVector v : root.getFieldVectors()) validateFull(v);
      batchesRead++;
      rowsRead += root.getRowCount();
      VectorSchemaRoot done = root;
      root = null;
      return done;
    } catch (ArrowIpcException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw error(index, "record batch " + index + " at byte " + m.offset() + " does not decode to valid columns: " + e, e);
    } finally {
      if (root != null) root.close();
      if (rb != null) rb.close();
      if (body != null) body.close();
    }
  }

  /**
   * Lengths checked against the buffers before Arrow loads them: Arrow's loader grows a vector whose buffers are
   * too small for its length (zeroing the new memory), so a flipped row count or fixed-size-list width would
   * otherwise allocate gigabytes before any validation could refuse it.
   */
  private void checkSizes(ArrowRecordBatch rb, Schema schema, int index, long offset) throws ArrowIpcException {
    int[] at = {0, 0};
    for (Field f : schema.getFields()) {
      if (at[0] >= rb.getNodes().size()) break; // too few nodes: Arrow's loader names it
      long len = rb.getNodes().get(at[0]).getLength();
      if (len != rb.getLength()) {
        throw error(index, "record batch " + index + " at byte " + offset + " has " + rb.getLength() + " rows but its column '"
            + f.getName() + "' has " + len, null);
      }
      if (!checkField(f, rb, at, index, offset)) return;
    }
  }

  /** Checks one field and its children (nodes and buffers in depth-first order); false where the layout is not fixed. */
  private boolean checkField(Field f, ArrowRecordBatch rb, int[] at, int index, long offset) throws ArrowIpcException {
    if (at[0] >= rb.getNodes().size()) return false;
    ArrowFieldNode node = rb.getNodes().get(at[0]++);
    TypeLayout layout = TypeLayout.getTypeLayout(f.getType());
    if (!layout.isFixedBufferCount()) return false;
    long len = node.getLength();
    boolean varData = layout.getBufferTypes().contains(BufferLayout.BufferType.OFFSET);
    ArrowBuf offsets = null;
    for (BufferLayout b : layout.getBufferLayouts()) {
      if (at[1] >= rb.getBuffers().size()) return false;
      ArrowBuf buf = rb.getBuffers().get(at[1]++);
      long have = buf.capacity();
      long need;
      switch (b.getType()) {
        case VALIDITY -> need = node.getNullCount() == 0 && have == 0 ? 0 : (len + 7) / 8;
        case OFFSET -> {
          need = len == 0 ? 0 : (len + 1) * (b.getTypeBitWidth() / 8);
          offsets = buf;
        }
        case DATA -> need = varData ? 0 : (len * b.getTypeBitWidth() + 7) / 8;
        default -> need = 0;
      }
      if (need > have) {
        throw error(index, "record batch " + index + " at byte " + offset + ": column '" + f.getName() + "' (" + f.getType() + ") has "
            + len + " values, which need " + need + " bytes of " + b.getType().getName().toLowerCase(java.util.Locale.ROOT)
            + " buffer, but the batch holds " + have, null);
      }
    }
    if (f.getType() instanceof ArrowType.FixedSizeList fl && !f.getChildren().isEmpty() && at[0] < rb.getNodes().size()) {
      long need = len * fl.getListSize();
      long childLen = rb.getNodes().get(at[0]).getLength();
      if (childLen < need || need > Integer.MAX_VALUE) {
        throw error(index, "record batch " + index + " at byte " + offset + ": fixed-size list '" + f.getName() + "' of " + len
            + " rows of " + fl.getListSize() + " needs " + need + " child values, but the batch has " + childLen, null);
      }
    }
    boolean list = f.getType() instanceof ArrowType.List, largeList = f.getType() instanceof ArrowType.LargeList;
    if ((list || largeList) && offsets != null && len > 0 && at[0] < rb.getNodes().size()) {
      // Arrow's loader sizes the child to the last offset, growing it if the child is shorter.
      long last = list ? offsets.getInt(len * 4) : offsets.getLong(len * 8);
      long childLen = rb.getNodes().get(at[0]).getLength();
      if (last < 0 || last > childLen) {
        throw error(index, "record batch " + index + " at byte " + offset + ": list '" + f.getName() + "' ends at child offset " + last
            + ", outside its " + childLen + " child values", null);
      }
    }
    for (Field c : f.getChildren()) if (!checkField(c, rb, at, index, offset)) return false;
    return true;
  }

  /**
   * Arrow's full validation (offsets within the data, values within the buffers) of a vector, except where Arrow 19's
   * own visitor cannot look: it asks a fixed-size list for an offset buffer it does not have, so there the list is
   * validated structurally and its children fully.
   */
  private static void validateFull(FieldVector v) {
    if (!hasFixedSizeList(v)) {
      ValueVectorUtility.validateFull(v);
      return;
    }
    ValueVectorUtility.validate(v);
    for (FieldVector c : v.getChildrenFromFields()) validateFull(c);
  }

  private static boolean hasFixedSizeList(FieldVector v) {
    if (v instanceof FixedSizeListVector) return true;
    for (FieldVector c : v.getChildrenFromFields()) if (hasFixedSizeList(c)) return true;
    return false;
  }

  private static String typeName(byte type) {
    return type >= 0 && type < MessageHeader.names.length ? MessageHeader.name(type) + " message" : "unknown (type " + type + ") message";
  }

  // ---- bytes ----

  private int read(ByteBuffer b) throws IOException {
    int total = 0;
    while (b.hasRemaining()) {
      int n = in.read(b);
      if (n < 0) break;
      total += n;
    }
    pos += total;
    return total;
  }

  /** Up to {@code n} bytes, grown as they arrive, so a corrupt length cannot allocate more than the input holds. */
  private ByteBuffer readUpTo(int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.min(n, 1 << 16));
    while (true) {
      read(b);
      if (b.hasRemaining() || b.capacity() == n) break;
      ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(n, 2L * b.capacity()));
      b.flip();
      bigger.put(b);
      b = bigger;
    }
    b.flip();
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  private ByteBuffer readAt(long offset, int n) throws IOException {
    ((FileChannel) in).position(offset);
    pos = offset;
    ByteBuffer b = readUpTo(n);
    if (b.remaining() < n) throw error(-1, "the file ends at byte " + pos + " inside a " + n + "-byte read at byte " + offset, null);
    return b;
  }

  /**
   * A message body of {@code n} bytes. Where the input's size is known the length was checked against it; on a
   * stream a body over {@link #CHUNK} is read in doubling chunks first (then copied once), so a corrupt length fails
   * at the input's end instead of allocating terabytes.
   */
  private ArrowBuf body(long n, long start) throws IOException {
    if (n == 0) return allocator.getEmpty();
    if (end >= 0 || n <= CHUNK) {
      ArrowBuf buf = allocator.buffer(n);
      try {
        long got = fill(buf, 0, n);
        if (got < n) throw error(batchesRead, "the input ends inside the body of the message at byte " + start + " (" + got + " of " + n + " bytes)", null);
        return buf;
      } catch (IOException | RuntimeException e) {
        buf.close();
        throw e;
      }
    }
    List<ArrowBuf> chunks = new ArrayList<>();
    List<Long> lengths = new ArrayList<>();
    try {
      long got = 0;
      long size = CHUNK;
      while (got < n) {
        // Chunks double, so a length larger than the input allocates at most about twice what the input held.
        long want = Math.min(size, n - got);
        size = Math.min(2 * size, 1L << 30);
        ArrowBuf c = allocator.buffer(want);
        chunks.add(c);
        lengths.add(want);
        long k = fill(c, 0, want);
        got += k;
        if (k < want) {
          throw error(batchesRead, "the input ends inside the body of the message at byte " + start + " (" + got + " of " + n + " bytes)", null);
        }
      }
      ArrowBuf buf = allocator.buffer(n);
      long at = 0;
      for (int i = 0; i < chunks.size(); i++) {
        buf.setBytes(at, chunks.get(i), 0, lengths.get(i));
        at += lengths.get(i);
      }
      return buf;
    } finally {
      for (ArrowBuf c : chunks) c.close();
    }
  }

  /** Reads up to {@code n} bytes into {@code buf} at {@code at}; returns how many arrived before the input ended. */
  private long fill(ArrowBuf buf, long at, long n) throws IOException {
    long got = 0;
    while (got < n) {
      int len = (int) Math.min(n - got, 1 << 30);
      ByteBuffer nio = buf.nioBuffer(at + got, len);
      int k = read(nio);
      got += k;
      if (k < len) break;
    }
    buf.writerIndex(at + got);
    return got;
  }

  // ---- errors ----

  ArrowIpcException error(int batchIndex, String what, Throwable cause) {
    String at = batchIndex >= 0 ? " (batch " + batchIndex + "; " + batchesRead + " batches, " + rowsRead + " rows read before it)" : "";
    return new ArrowIpcException(source, batchIndex, batchesRead, rowsRead, source + ": " + what + at, cause);
  }

  private ArrowIpcException wrap(Throwable e) {
    if (e instanceof ArrowIpcException a) return a;
    return error(batchesRead, "reading failed at byte " + pos + ": " + e, e);
  }
}
