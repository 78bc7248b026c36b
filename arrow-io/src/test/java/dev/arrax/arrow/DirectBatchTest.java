package dev.arrax.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.backend.Backends;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.core.ArrayType;
import java.util.List;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Test;

/** Arrow batches laid out for runDirect: contiguous values, views without copies, growth, validity, and no leaks. */
class DirectBatchTest extends AllocatorTestBase {
  private static final List<DirectBatch.Column> COLUMNS = List.of(
      DirectBatch.Column.array("x", DType.FLOAT32, 3),
      DirectBatch.Column.scalar("k", DType.INT32),
      DirectBatch.Column.scalar("flag", DType.BOOL),
      DirectBatch.Column.scalar("bits", DType.UINT32));

  @Test
  void columnsAreContiguousArrowVectorsViewedWithoutACopy() {
    try (DirectBatch b = DirectBatch.allocate(allocator, COLUMNS, 5)) {
      assertTrue(b.capacity() >= 5, "capacity " + b.capacity());
      VectorSchemaRoot root = b.root();
      assertInstanceOf(FixedSizeListVector.class, root.getVector("x"));
      assertInstanceOf(Float4Vector.class, ((FixedSizeListVector) root.getVector("x")).getDataVector());
      assertInstanceOf(IntVector.class, root.getVector("k"));
      assertInstanceOf(UInt1Vector.class, root.getVector("flag"));
      assertInstanceOf(UInt4Vector.class, root.getVector("bits"));

      DirectArray x = b.view(0, 5);
      assertEquals(ArrayType.of(DType.FLOAT32, 5, 3), x.type());
      assertTrue(x.data().isDirect());
      x.copyFrom(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
      b.view(1, 5).copyFrom(new int[] {10, 20, 30, 40, 50});
      b.view(2, 5).copyFrom(new boolean[] {true, false, true, true, false});
      b.setRowCount(5, new boolean[] {true, true, false, true, true});

      // The view wrote into the Arrow vectors themselves.
      FixedSizeListVector xv = (FixedSizeListVector) root.getVector("x");
      assertEquals(7f, ((Float4Vector) xv.getDataVector()).get(7));
      assertEquals(40, ((IntVector) root.getVector("k")).get(3));
      assertEquals(1, ((UInt1Vector) root.getVector("flag")).get(0));
      assertEquals(0, ((UInt1Vector) root.getVector("flag")).get(1));
      assertEquals(5, root.getRowCount());
      assertTrue(root.getVector("k").isNull(2));
      assertFalse(root.getVector("k").isNull(3));

      // A well-formed batch: ArrowArrays reads it as the arrays that were written (row 2 null -> zeros under NULL_ROW).
      NDArray xs = ArrowArrays.toArray(xv, NullPolicy.NULL_ROW);
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 0, 0, 0, 9, 10, 11, 12, 13, 14}, xs.toFloatArray());
      assertArrayEquals(new boolean[] {true, false, true, true, false}, (boolean[]) b.view(2, 5).toHostArray());
    }
  }

  @Test
  void growingKeepsTheRowsAndZeroesTheNewOnes() {
    try (DirectBatch b = DirectBatch.allocate(allocator, COLUMNS, 2)) {
      b.view(0, 2).copyFrom(new float[] {1, 2, 3, 4, 5, 6});
      b.view(1, 2).copyFrom(new int[] {7, 8});
      b.ensureCapacity(3000);
      assertTrue(b.capacity() >= 3000, "capacity " + b.capacity());
      float[] x = (float[]) b.view(0, 3000).toHostArray();
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0, 0}, java.util.Arrays.copyOf(x, 8));
      int[] k = (int[]) b.view(1, 3000).toHostArray();
      assertEquals(8, k[1]);
      assertEquals(0, k[2999]);
      b.zeroRows(1, 0, 1);
      assertEquals(0, ((int[]) b.view(1, 2).toHostArray())[0]);
      assertEquals(8, ((int[]) b.view(1, 2).toHostArray())[1]);
    }
  }

  @Test
  void viewsAreCheckedAgainstTheColumnsTypeAndRoom() {
    try (DirectBatch b = DirectBatch.allocate(allocator, List.of(new DirectBatch.Column("w", DType.FLOAT64, new int[] {2, 3})), 1)) {
      assertEquals(ArrayType.of(DType.FLOAT64, 2, 3), b.view(0, ArrayType.of(DType.FLOAT64, 2, 3)).type());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.view(0, ArrayType.of(DType.FLOAT32, 2, 3)));
      assertEquals("DirectBatch.view: column w f64[2, 3] per row holds f64, not f32[2,3]", e.getMessage());
      int cap = b.capacity();
      e = assertThrows(IllegalArgumentException.class, () -> b.view(0, cap + 1));
      assertEquals("DirectBatch.view: f64[" + (cap + 1) + ",2,3] needs " + (cap + 1) * 48L + " bytes; column w f64[2, 3] per row has room for "
          + cap + " rows (" + cap * 48L + " bytes)", e.getMessage());
    }
    DirectBatch closed = DirectBatch.allocate(allocator, COLUMNS, 1);
    closed.close();
    closed.close();
    assertThrows(IllegalStateException.class, closed::root);
  }

  @Test
  void theDefaultRunDirectComputesFromAndIntoArrowBuffers() {
    Executable e = Backends.compile(Arrax.makeJaxpr(a -> Np.multiply(Np.sum(a[0], 1), a[1]),
        Np.zeros(new int[] {4, 3}, DType.FLOAT32), Np.zeros(new int[] {4}, DType.FLOAT32)), "cpu");
    List<DirectBatch.Column> in = List.of(DirectBatch.Column.array("x", DType.FLOAT32, 3), DirectBatch.Column.scalar("w", DType.FLOAT32));
    try (DirectBatch b = DirectBatch.allocate(allocator, in, 4);
         DirectBatch out = DirectBatch.allocate(allocator, List.of(DirectBatch.Column.scalar("y", DType.FLOAT32)), 4)) {
      b.view(0, 4).copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
      b.view(1, 4).copyFrom(new float[] {1, 2, 0.5f, -1});
      e.runDirect(new DirectArray[] {b.view(0, 4), b.view(1, 4)}, new DirectArray[] {out.view(0, 4)});
      out.setRowCount(4, null);
      assertArrayEquals(new float[] {6, 30, 12, -33}, ArrowArrays.toArray(out.root().getVector("y")).toFloatArray());
    }
  }
}
