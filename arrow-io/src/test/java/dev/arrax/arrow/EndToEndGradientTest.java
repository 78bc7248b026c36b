package dev.arrax.arrow;

import static dev.arrax.arrow.ArrowTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Test;

/**
 * Arrow in, per-row gradient, Arrow out: a Float4 FixedSizeList column [rows, 4] read from an IPC stream,
 * {@code vmap(grad(x -> sum(tanh(x))))}, and the gradient written back as a FixedSizeList column. The reference
 * is the closed form d/dx sum(tanh(x)) = 1 - tanh(x)^2 in a float64 Java loop.
 */
class EndToEndGradientTest extends AllocatorTestBase {
  private static final Fn PER_ROW_GRAD = Arrax.vmap(Arrax.grad(x -> Np.sum(Np.tanh(x[0]))));

  @Test
  void gradientPerRowThroughArrow() throws IOException {
    for (long seed : new long[] {41L, 42L, 43L}) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int rows : new int[] {0, 1, 5, 200 + r.nextInt(800)}) {
        run(seed, rows, r, false);
      }
    }
  }

  @Test
  void nullRowsStayNull() throws IOException {
    SplittableRandom r = new SplittableRandom(44L);
    run(44L, 300, r, true);
  }

  private void run(long seed, int rows, SplittableRandom r, boolean withNulls) throws IOException {
    String m = "seed=" + seed + " rows=" + rows;
    int d = 4;
    double[] flat = new double[rows * d];
    for (int i = 0; i < flat.length; i++) flat[i] = (float) (r.nextDouble() * 6 - 3);
    boolean[] rowNulls = withNulls ? randomMask(r, rows, 0.2) : null;

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (VectorSchemaRoot batch = VectorSchemaRoot.of(fixedList("x", d, true, flat, rows, rowNulls, null, allocator))) {
      ArrowIpc.writeStream(bytes, batch.getSchema(), List.of(batch), allocator);
    }
    try (ArrowIpc.Batches read = ArrowIpc.readStream(new ByteArrayInputStream(bytes.toByteArray()), allocator)) {
      FieldVector column = read.batches().get(0).getVector("x");
      boolean[] valid = ArrowArrays.validity(List.of(column));
      NDArray x = ArrowArrays.toArray(column, withNulls ? NullPolicy.NULL_ROW : NullPolicy.ERROR);
      assertEquals(DType.FLOAT32, x.dtype(), m);
      assertArrayEquals(new int[] {rows, d}, x.shape(), m);

      NDArray g = PER_ROW_GRAD.apply(x);
      assertEquals(DType.FLOAT32, g.dtype(), m);
      assertArrayEquals(new int[] {rows, d}, g.shape(), m);

      try (FieldVector out = ArrowArrays.fromArray(g, "grad_x", allocator, valid)) {
        FixedSizeListVector f = assertInstanceOf(FixedSizeListVector.class, out, m);
        assertEquals("grad_x", f.getName(), m);
        assertEquals(d, f.getListSize(), m);
        assertEquals(rows, f.getValueCount(), m);
        Float4Vector child = assertInstanceOf(Float4Vector.class, f.getDataVector(), m);
        int nulls = 0;
        for (int i = 0; i < rows; i++) {
          boolean isNull = rowNulls != null && rowNulls[i];
          assertEquals(isNull, f.isNull(i), m + " row " + i);
          if (isNull) {
            nulls++;
            continue;
          }
          for (int c = 0; c < d; c++) {
            double t = Math.tanh(flat[i * d + c]);
            double want = 1.0 - t * t;
            float got = child.get(i * d + c);
            assertEquals(want, got, 1e-6 + 1e-5 * Math.abs(want), m + " row " + i + " element " + c + " x=" + flat[i * d + c]);
          }
        }
        assertEquals(nulls, f.getNullCount(), m);
        if (withNulls) assertTrue(nulls > 0, m + ": draw had no null rows");
      }
    }
  }
}
