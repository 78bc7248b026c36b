package dev.arrax.arrow;

import static dev.arrax.arrow.ArrowTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.NDArray;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several batches (one of 0 rows, one with nulls) written as an Arrow IPC file and as a stream, read back and
 * compared with the Java arrays they were built from.
 */
class ArrowIpcTest extends AllocatorTestBase {
  @TempDir Path dir;

  /** The source values of one batch: a Float4 column, a [rows, 3] Float8 fixed-size list, an Int column. */
  private record Source(float[] a, boolean[] aNulls, double[] b, int[] c) {
    int rows() { return a.length; }
  }

  private static List<Source> sources(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Source> out = new ArrayList<>();
    for (int rows : new int[] {1 + r.nextInt(100), 0, 1 + r.nextInt(1000)}) {
      out.add(new Source(randomFloats(r, rows), randomMask(r, rows, out.size() == 2 ? 0.1 : 0.0),
          randomDoubles(r, rows * 3), randomInts(r, rows)));
    }
    return out;
  }

  private VectorSchemaRoot batch(Source s) {
    FieldVector a = float4("a", s.a(), s.aNulls(), allocator);
    FieldVector b = fixedList("b", 3, false, s.b(), s.rows(), null, null, allocator);
    FieldVector c = int4("c", s.c(), null, allocator);
    return VectorSchemaRoot.of(a, b, c);
  }

  private static void closeAll(List<VectorSchemaRoot> roots) {
    for (VectorSchemaRoot r : roots) r.close();
  }

  private static void assertBatch(Source s, VectorSchemaRoot got, String m) {
    int n = s.rows();
    assertEquals(n, got.getRowCount(), m);
    float[] a = ArrowArrays.toArray(got.getVector("a"), NullPolicy.fill(12345)).toFloatArray();
    for (int i = 0; i < n; i++) {
      float want = s.aNulls()[i] ? 12345f : s.a()[i];
      assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(a[i]), m + " a[" + i + "]");
    }
    NDArray b = ArrowArrays.toArray(got.getVector("b"));
    assertArrayEquals(new int[] {n, 3}, b.shape(), m);
    double[] bv = b.toDoubleArray();
    for (int i = 0; i < 3 * n; i++) {
      assertEquals(Double.doubleToLongBits(s.b()[i]), Double.doubleToLongBits(bv[i]), m + " b[" + i + "]");
    }
    long[] c = ArrowArrays.toArray(got.getVector("c")).toLongArray();
    for (int i = 0; i < n; i++) assertEquals(s.c()[i], c[i], m + " c[" + i + "]");
  }

  @Test
  void fileRoundTrip() throws IOException {
    for (long seed : new long[] {21L, 22L}) {
      List<Source> src = sources(seed);
      List<VectorSchemaRoot> batches = new ArrayList<>();
      Path file = dir.resolve("batches-" + seed + ".arrow");
      try {
        for (Source s : src) batches.add(batch(s));
        Schema schema = batches.get(0).getSchema();
        ArrowIpc.writeFile(file, schema, batches, allocator);
      } finally {
        closeAll(batches);
      }
      assertTrue(Files.size(file) > 0);
      try (ArrowIpc.Batches read = ArrowIpc.readFile(file, allocator)) {
        assertEquals(List.of("a", "b", "c"), read.schema().getFields().stream().map(f -> f.getName()).toList());
        assertEquals(src.size(), read.batches().size(), "seed=" + seed);
        for (int i = 0; i < src.size(); i++) assertBatch(src.get(i), read.batches().get(i), "seed=" + seed + " batch " + i);
      }
    }
  }

  @Test
  void streamRoundTrip() throws IOException {
    for (long seed : new long[] {31L, 32L}) {
      List<Source> src = sources(seed);
      List<VectorSchemaRoot> batches = new ArrayList<>();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        for (Source s : src) batches.add(batch(s));
        ArrowIpc.writeStream(bytes, batches.get(0).getSchema(), batches, allocator);
      } finally {
        closeAll(batches);
      }
      try (ArrowIpc.Batches read = ArrowIpc.readStream(new ByteArrayInputStream(bytes.toByteArray()), allocator)) {
        assertEquals(src.size(), read.batches().size(), "seed=" + seed);
        for (int i = 0; i < src.size(); i++) assertBatch(src.get(i), read.batches().get(i), "seed=" + seed + " batch " + i);
      }
    }
  }

  /** Arrays computed here go out through fromArray, into a file and back unchanged. */
  @Test
  void arraysThroughAFile() throws IOException {
    NDArray x = NDArray.fromFlat(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    Path file = dir.resolve("x.arrow");
    try (VectorSchemaRoot root = VectorSchemaRoot.of(ArrowArrays.fromArray(x, "x", allocator))) {
      ArrowIpc.writeFile(file, root.getSchema(), List.of(root), allocator);
    }
    try (ArrowIpc.Batches read = ArrowIpc.readFile(file, allocator)) {
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, ArrowArrays.toArray(read.batches().get(0).getVector("x")).toFloatArray());
    }
  }

  @Test
  void noBatches() throws IOException {
    Path file = dir.resolve("empty.arrow");
    try (VectorSchemaRoot proto = VectorSchemaRoot.of(float4("a", new float[0], null, allocator))) {
      ArrowIpc.writeFile(file, proto.getSchema(), List.of(), allocator);
    }
    try (ArrowIpc.Batches read = ArrowIpc.readFile(file, allocator)) {
      assertEquals(0, read.batches().size());
      assertEquals("a", read.schema().getFields().get(0).getName());
    }
  }
}
