package dev.arrax.arrow;

import static dev.arrax.arrow.ArrowTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile Arrow IPC input: streams and files cut at every message boundary and at random offsets, single bytes
 * flipped in message headers and bodies, footers whose blocks do not fit. Each read must either succeed with valid
 * columns (a flipped value byte is undetectable: IPC has no checksums) or end in {@link ArrowIpcException}, and the
 * allocator must be back at zero after every case. The number of cases is {@code -Darrax.fuzz.ipcCases} (default 500
 * random truncations and 500 flips per format).
 */
class ArrowIpcCorruptionTest extends AllocatorTestBase {
  private static final int CASES = Integer.getInteger("arrax.fuzz.ipcCases", 500);

  @TempDir Path dir;

  /** Four batches (17, 0, 300 and 5 rows): f32 with nulls, a [rows, 3] f64 fixed list, i32, and a ragged f64 list. */
  private List<VectorSchemaRoot> batches(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<VectorSchemaRoot> out = new ArrayList<>();
    for (int rows : new int[] {17, 0, 300, 5}) {
      double[][] ragged = new double[rows][];
      for (int i = 0; i < rows; i++) ragged[i] = randomDoubles(r, r.nextInt(4));
      FieldVector a = float4("a", randomFloats(r, rows), randomMask(r, rows, 0.2), allocator);
      FieldVector b = fixedList("b", 3, false, randomDoubles(r, 3 * rows), rows, null, null, allocator);
      FieldVector c = int4("c", randomInts(r, rows), null, allocator);
      FieldVector d = list("d", false, ragged, randomMask(r, rows, 0.1), null, allocator);
      out.add(VectorSchemaRoot.of(a, b, c, d));
    }
    return out;
  }

  private byte[] streamBytes(long seed) throws IOException {
    List<VectorSchemaRoot> b = batches(seed);
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ArrowIpc.writeStream(bytes, b.get(0).getSchema(), b, allocator);
      return bytes.toByteArray();
    } finally {
      b.forEach(VectorSchemaRoot::close);
    }
  }

  private byte[] fileBytes(long seed) throws IOException {
    List<VectorSchemaRoot> b = batches(seed);
    Path f = dir.resolve("src-" + seed + ".arrow");
    try {
      ArrowIpc.writeFile(f, b.get(0).getSchema(), b, allocator);
      return Files.readAllBytes(f);
    } finally {
      b.forEach(VectorSchemaRoot::close);
    }
  }

  /** A message's framing, found by walking the stream independently of the reader under test. */
  private record Span(int start, int metadataEnd, int end) {}

  private static List<Span> messages(byte[] bytes, int from) {
    List<Span> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int p = from;
    while (true) {
      int len = b.getInt(p + 4);
      if (len == 0) break;
      Message m = Message.getRootAsMessage(ByteBuffer.wrap(bytes, p + 8, len).slice().order(ByteOrder.LITTLE_ENDIAN));
      int end = p + 8 + len + (int) m.bodyLength();
      out.add(new Span(p, p + 8 + len, end));
      p = end;
    }
    return out;
  }

  private enum Outcome { READ, REJECTED }

  private long rejected, read, cases;

  /** One read of hostile bytes: valid columns or ArrowIpcException, and no Arrow memory left either way. */
  private Outcome attempt(byte[] bytes, boolean file, String what) {
    cases++;
    Outcome o;
    try {
      if (file) {
        Path f = dir.resolve("case.arrow");
        Files.write(f, bytes);
        try (ArrowIpc.Batches got = ArrowIpc.readFile(f, allocator)) {
          use(got);
        }
      } else {
        try (ArrowIpc.Batches got = ArrowIpc.readStream(new ByteArrayInputStream(bytes), allocator)) {
          use(got);
        }
      }
      o = Outcome.READ;
      read++;
    } catch (ArrowIpcException e) {
      assertTrue(e.getMessage().startsWith(file ? "ArrowIpc.readFile(" : "ArrowIpc.readStream(stream): "), e.getMessage());
      o = Outcome.REJECTED;
      rejected++;
    } catch (Throwable t) {
      throw new AssertionError(what + ": expected valid batches or an ArrowIpcException, got " + t, t);
    }
    assertEquals(0L, allocator.getAllocatedMemory(), () -> what + ": Arrow memory left after the read\n" + allocator.toVerboseString());
    // A corrupt length must be refused before it is allocated: no case may take more than a few times the input.
    assertTrue(allocator.getPeakMemoryAllocation() < (24L << 20), () -> what + ": peak allocation " + allocator.getPeakMemoryAllocation());
    return o;
  }

  /** Reads every value of every column as Arrax does: what a reader accepted must convert (or refuse ragged lists clearly). */
  private static void use(ArrowIpc.Batches got) {
    for (VectorSchemaRoot root : got.batches()) {
      for (FieldVector v : root.getFieldVectors()) {
        try {
          ArrowArrays.toArray(v, NullPolicy.fill(0)).toDoubleArray();
        } catch (ArrowConversionException expected) {
          // e.g. a flipped list offset making rows ragged: a clear conversion error, not a crash
        }
      }
    }
  }

  private static byte[] cut(byte[] b, int n) { return Arrays.copyOf(b, n); }

  @Test
  void streamCutAtABoundaryNamesTheBatchesAndRowsRead() throws IOException {
    byte[] s = streamBytes(1);
    List<Span> msgs = messages(s, 0);
    assertEquals(5, msgs.size(), "schema + 4 batches");
    // Cut right after batch 1 (the empty one): 17 + 0 rows were read, and then the stream ended without its marker.
    byte[] cut = cut(s, msgs.get(2).end());
    ArrowIpcException e = assertThrows(ArrowIpcException.class, () -> ArrowIpc.readStream(new ByteArrayInputStream(cut), allocator));
    assertEquals("ArrowIpc.readStream(stream): the stream was cut: it ends at byte " + cut.length + " after 2 batches (17 rows)"
        + " without the end-of-stream marker, so batches after these may be missing; re-send the whole stream (ArrowIpc.writeStream"
        + " and Arrow's stream writers always end it with the marker) (batch 2; 2 batches, 17 rows read before it)", e.getMessage());
    assertEquals(2, e.batchIndex());
    assertEquals(2, e.batchesRead());
    assertEquals(17, e.rowsRead());
    assertEquals(0L, allocator.getAllocatedMemory());
    // Arrax's writer always ends a stream with the 8-byte marker 0xFFFFFFFF 0x00000000.
    assertArrayEquals(new byte[] {-1, -1, -1, -1, 0, 0, 0, 0}, Arrays.copyOfRange(s, s.length - 8, s.length));
    assertEquals(s.length, msgs.get(4).end() + 8);
  }

  @Test
  void everyTruncationOfAStreamOrFileIsAnError() throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    for (boolean file : new boolean[] {false, true}) {
      byte[] whole = file ? fileBytes(2) : streamBytes(2);
      assertEquals(Outcome.READ, attempt(whole, file, "whole"));
      List<Integer> cuts = new ArrayList<>(List.of(0, 1, 4, 7, 8, whole.length - 1, whole.length - 4, whole.length - 8));
      for (Span m : messages(whole, file ? 8 : 0)) {
        cuts.addAll(List.of(m.start(), m.start() + 4, m.metadataEnd(), m.end()));
      }
      for (int i = 0; i < CASES; i++) cuts.add(r.nextInt(whole.length));
      for (int c : cuts) {
        assertEquals(Outcome.REJECTED, attempt(cut(whole, c), file, (file ? "file" : "stream") + " cut at " + c + " of " + whole.length));
      }
    }
    System.out.println("ArrowIpcCorruptionTest truncations: " + cases + " cases, " + rejected + " rejected, " + read + " read whole");
  }

  @Test
  void flippedBytesInHeadersAndBodiesAreRejectedOrReadAsValidColumns() throws IOException {
    SplittableRandom r = new SplittableRandom(11);
    long[] byRegion = new long[4];
    for (boolean file : new boolean[] {false, true}) {
      byte[] whole = file ? fileBytes(3) : streamBytes(3);
      List<Span> msgs = messages(whole, file ? 8 : 0);
      for (int i = 0; i < CASES; i++) {
        Span m = msgs.get(r.nextInt(msgs.size()));
        // Headers (prefix and flatbuffer) twice as often as bodies: that is where lengths and offsets live.
        int at;
        int region = r.nextInt(3);
        if (region < 2 || m.end() == m.metadataEnd()) {
          region = 0;
          at = m.start() + r.nextInt(m.metadataEnd() - m.start());
        } else at = m.metadataEnd() + r.nextInt(m.end() - m.metadataEnd());
        if (file && r.nextInt(4) == 0) {
          region = 3; // the footer and its length
          int footerStart = msgs.get(msgs.size() - 1).end() + 8;
          at = footerStart + r.nextInt(whole.length - footerStart);
        }
        byte[] bad = whole.clone();
        bad[at] ^= (byte) (1 << r.nextInt(8));
        if (r.nextInt(4) == 0) bad[at] = (byte) r.nextInt(256);
        Outcome o = attempt(bad, file, (file ? "file" : "stream") + " byte " + at + " flipped");
        if (o == Outcome.REJECTED) byRegion[region == 1 ? 0 : region]++;
      }
    }
    System.out.println("ArrowIpcCorruptionTest flips: " + cases + " cases, " + rejected + " rejected (" + byRegion[0] + " header, "
        + byRegion[2] + " body, " + byRegion[3] + " footer), " + read + " read as valid columns");
    assertTrue(rejected > cases / 4, "most header flips must be caught: " + rejected + " of " + cases);
  }

  /** A footer rewritten with blocks that do not fit the file: each inconsistency is named. */
  @Test
  void inconsistentFooterBlocksAreErrors() throws IOException {
    byte[] whole = fileBytes(4);
    int footerLength = ByteBuffer.wrap(whole, whole.length - 10, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = whole.length - 10 - footerLength;
    ArrowFooter f = new ArrowFooter(Footer.getRootAsFooter(ByteBuffer.wrap(whole, footerStart, footerLength).slice().order(ByteOrder.LITTLE_ENDIAN)));
    List<ArrowBlock> blocks = f.getRecordBatches();
    ArrowBlock b0 = blocks.get(0), b2 = blocks.get(2);

    // The last block's body made 8 bytes longer still ends before the footer (over the end-of-stream marker).
    ArrowBlock b3 = blocks.get(3);
    List<ArrowBlock> longerBody = new ArrayList<>(blocks);
    longerBody.set(3, new ArrowBlock(b3.getOffset(), b3.getMetadataLength(), b3.getBodyLength() + 8));
    assertFooterError(whole, footerStart, f, longerBody, "footer block 3 (metadata " + b3.getMetadataLength() + " bytes, body "
        + (b3.getBodyLength() + 8) + " bytes) does not match the message at byte " + b3.getOffset());

    List<ArrowBlock> overlapping = new ArrayList<>(blocks);
    overlapping.set(0, new ArrowBlock(b0.getOffset(), b0.getMetadataLength(), b0.getBodyLength() + 8));
    assertFooterError(whole, footerStart, f, overlapping, "footer blocks at bytes " + b0.getOffset() + " and " + blocks.get(1).getOffset() + " overlap");

    List<ArrowBlock> pastEnd = new ArrayList<>(blocks);
    pastEnd.set(2, new ArrowBlock(footerStart - 16, b2.getMetadataLength(), b2.getBodyLength()));
    assertFooterError(whole, footerStart, f, pastEnd, "footer block 2 (offset " + (footerStart - 16) + ", metadata "
        + b2.getMetadataLength() + " bytes, body " + b2.getBodyLength() + " bytes) lies outside the file's data (bytes 8 to " + footerStart + ")");

    List<ArrowBlock> twice = new ArrayList<>(blocks);
    twice.add(b2);
    assertFooterError(whole, footerStart, f, twice, "footer blocks at bytes " + b2.getOffset() + " and " + b2.getOffset() + " overlap");

    List<ArrowBlock> shifted = new ArrayList<>(blocks);
    shifted.set(1, new ArrowBlock(b0.getOffset() + 8, b0.getMetadataLength(), 0));
    assertFooterError(whole, footerStart, f, shifted, "");

    List<ArrowBlock> dropped = new ArrayList<>(blocks.subList(0, 2));
    Path p = dir.resolve("dropped.arrow");
    Files.write(p, withFooter(whole, footerStart, f, dropped));
    try (ArrowIpc.Batches got = ArrowIpc.readFile(p, allocator)) {
      // A footer listing fewer blocks is a valid (shorter) file: the footer is the file's index.
      assertEquals(2, got.batches().size());
      assertEquals(17, got.batches().get(0).getRowCount());
    }
  }

  private void assertFooterError(byte[] whole, int footerStart, ArrowFooter f, List<ArrowBlock> blocks, String expected) throws IOException {
    Path p = dir.resolve("footer.arrow");
    Files.write(p, withFooter(whole, footerStart, f, blocks));
    ArrowIpcException e = assertThrows(ArrowIpcException.class, () -> ArrowIpc.readFile(p, allocator));
    assertTrue(e.getMessage().startsWith("ArrowIpc.readFile(" + p + "): " + expected), e.getMessage());
    assertEquals(0L, allocator.getAllocatedMemory());
  }

  private static byte[] withFooter(byte[] whole, int footerStart, ArrowFooter f, List<ArrowBlock> blocks) {
    FlatBufferBuilder fb = new FlatBufferBuilder();
    fb.finish(new ArrowFooter(f.getSchema(), f.getDictionaries(), blocks).writeTo(fb));
    byte[] footer = fb.sizedByteArray();
    ByteBuffer out = ByteBuffer.allocate(footerStart + footer.length + 10).order(ByteOrder.LITTLE_ENDIAN);
    out.put(whole, 0, footerStart).put(footer).putInt(footer.length).put("ARROW1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return out.array();
  }

  /** The caller's streams stay open: reading and writing never close what they were given. */
  @Test
  void streamsPassedInStayOpen() throws IOException {
    boolean[] closed = new boolean[2];
    ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
      @Override public void close() { closed[0] = true; }
    };
    List<VectorSchemaRoot> b = batches(5);
    try {
      ArrowIpc.writeStream(bytes, b.get(0).getSchema(), b, allocator);
    } finally {
      b.forEach(VectorSchemaRoot::close);
    }
    InputStream in = new ByteArrayInputStream(bytes.toByteArray()) {
      @Override public void close() { closed[1] = true; }
    };
    try (ArrowIpc.Batches got = ArrowIpc.readStream(in, allocator)) {
      assertEquals(4, got.batches().size());
      assertEquals(300, got.batches().get(2).getRowCount());
    }
    assertArrayEquals(new boolean[] {false, false}, closed, "writeStream / readStream closed the caller's stream");
  }

  /** A batch of the wrong schema fails before anything is written: no shorter file that would read as whole. */
  @Test
  void aWriteThatFailsLeavesNoFile() throws IOException {
    List<VectorSchemaRoot> b = batches(6);
    Path p = dir.resolve("partial.arrow");
    try (VectorSchemaRoot other = VectorSchemaRoot.of(int4("z", new int[] {1}, null, allocator))) {
      List<VectorSchemaRoot> mixed = new ArrayList<>(b);
      mixed.add(other);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ArrowIpc.writeFile(p, b.get(0).getSchema(), mixed, allocator));
      assertTrue(e.getMessage().startsWith("ArrowIpc: batch 4 has schema Schema<z: Int(32, true)>"), e.getMessage());
      assertTrue(e.getMessage().endsWith("; nothing was written"), e.getMessage());
      assertTrue(!Files.exists(p));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      assertThrows(IllegalArgumentException.class, () -> ArrowIpc.writeStream(bytes, b.get(0).getSchema(), mixed, allocator));
      assertEquals(0, bytes.size());
    } finally {
      b.forEach(VectorSchemaRoot::close);
    }
  }
}
