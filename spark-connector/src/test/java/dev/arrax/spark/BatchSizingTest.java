package dev.arrax.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.ir.Program;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batches sized in bytes (issue #14) and the gradient partials' double-double sums, without Spark. */
class BatchSizingTest {

  @Test
  void maxBytesPerBatchParsesSizesAndRejectsOthers() {
    assertEquals(67_108_864L, ArraxOptions.parseBytes("k", "67108864"));
    assertEquals(64L << 20, ArraxOptions.parseBytes("k", "64m"));
    assertEquals(256L << 20, ArraxOptions.parseBytes("k", " 256MiB "));
    assertEquals(1L << 30, ArraxOptions.parseBytes("k", "1g"));
    assertEquals(512L << 10, ArraxOptions.parseBytes("k", "512kb"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.parseBytes(ArraxOptions.MAX_BYTES_PER_BATCH_KEY, "0"));
    assertEquals("spark.arrax.maxBytesPerBatch=0: expected a size >= 1 byte such as 67108864, 64m or 1g", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ArraxOptions.parseBytes("k", "-5m"));
    assertThrows(IllegalArgumentException.class, () -> ArraxOptions.parseBytes("k", "1.5g"));
    assertThrows(IllegalArgumentException.class, () -> ArraxOptions.parseBytes("k", "99999999999999999999"));
    assertThrows(IllegalArgumentException.class, () -> ArraxOptions.defaults().withMaxBytesPerBatch(0));
    assertEquals(64L << 20, ArraxOptions.defaults().maxBytesPerBatch());
    assertEquals(1000, ArraxOptions.defaults().withMaxBytesPerBatch(1000).maxBytesPerBatch());
  }

  @Test
  void aRowCostsItsInputsOutputsAndRowIntermediatesNotItsParameters() {
    int d = 1_000_000;
    // y = 2x + 1 over f64[d]: per row x, 2x and 2x+1 in the batched program (8 MB each), plus the row arena (x and y)
    Program map = Arrax.makeJaxprMulti(a -> new NDArray[] {Np.add(Np.multiply(a[0], 2.0), 1.0)}, Np.zeros(new int[] {d}, DType.FLOAT64));
    long mapBytes = Programs.bytesPerRow(map, Programs.Batching.MAP, 0);
    assertEquals(5L * 8 * d + 16, mapBytes, "bytes per row of a map over f64[" + d + "]");
    assertEquals(1, Programs.rowsPerBatch(mapBytes, 65_536, 64L << 20), "at least one row");
    assertEquals(65_536, Programs.rowsPerBatch(100, 65_536, 64L << 20), "narrow rows keep batchRows");
    assertEquals(671_088, Programs.rowsPerBatch(100, 1 << 30, 64L << 20));
    // a logistic loss over w f64[d]: the gradient's [d] is summed over the rows, so it does not count per row
    Program loss = Arrax.makeJaxprMulti(a -> new NDArray[] {Np.multiply(Np.dot(a[1], a[0]), Np.dot(a[1], a[0]))},
        Np.zeros(new int[] {d}, DType.FLOAT64), Np.zeros(new int[] {d}, DType.FLOAT64));
    long gradBytes = Programs.bytesPerRow(loss, Programs.Batching.GRADIENT_SUM, 1);
    assertTrue(gradBytes >= 8L * d && gradBytes <= 3L * 8 * d, "a row of the gradient sum costs its features and at most a few [d] "
        + "intermediates, not the parameters' gradient per row: " + gradBytes);
  }

  @Test
  void theGradientSumProgramHasNoRowsByParamsValue() {
    // A one-hidden-layer model, W [16, 32]: the per-row gradient would be [rows, 16, 32]; the batch's summed loss only [16, 32].
    int rows = 64;
    MultiFn f = a -> new NDArray[] {Np.sum(Np.tanh(Np.dot(a[1], a[0])))};
    Program perRow = Arrax.makeJaxprMulti(f, Np.zeros(new int[] {16, 32}, DType.FLOAT64), Np.zeros(new int[] {16}, DType.FLOAT64));
    Program batched = dev.arrax.compile.Passes.optimize(Programs.batchedGradientSum(perRow, 1, rows));
    for (dev.arrax.ir.Eqn e : batched.eqns()) {
      for (dev.arrax.ir.Var v : e.outputs()) {
        assertTrue(v.type().size() < rows * 16 * 32, "a [rows, params]-sized value in the gradient-sum program: " + e);
      }
    }
  }

  @Test
  void partialsAddBatchesAsDoubleDoublesAndTheDriverSumIsExactInAnyOrder() {
    Random rng = new Random(14);
    int tasks = 7;
    GradientPartial[] parts = new GradientPartial[tasks];
    BigDecimal exact = BigDecimal.ZERO;
    for (int t = 0; t < tasks; t++) {
      parts[t] = new GradientPartial(0);
      for (int b = 0; b < 300; b++) {
        double v = rng.nextGaussian() * Math.pow(10, rng.nextInt(30) - 15);
        parts[t].add(0, v);
        exact = exact.add(new BigDecimal(v));
      }
    }
    double expected = exact.round(MathContext.DECIMAL128).doubleValue();
    long first = 0;
    for (int trial = 0; trial < 6; trial++) {
      java.util.List<GradientPartial> order = new java.util.ArrayList<>(java.util.List.of(parts));
      java.util.Collections.shuffle(order, rng);
      GradientPartial.Total total = new GradientPartial.Total(0);
      for (GradientPartial p : order) total.add(p);
      double got = total.value();
      if (trial == 0) first = Double.doubleToRawLongBits(got);
      assertEquals(first, Double.doubleToRawLongBits(got), "trial " + trial);
      assertEquals(expected, got, 0.0, "the double-double partials lose nothing a double can show here");
    }
    GradientPartial inf = new GradientPartial(0);
    inf.add(0, 1.0);
    inf.add(0, Double.POSITIVE_INFINITY);
    inf.add(0, 2.0);
    GradientPartial.Total t = new GradientPartial.Total(0);
    t.add(inf);
    t.add(parts[0]);
    assertEquals(Double.POSITIVE_INFINITY, t.value());
  }

  @Test
  void exactSumsRoundTiesToEvenAndCarryPastTheLargestDouble() {
    ExactSums s = new ExactSums(3);
    s.add(0, 1.0);
    s.add(0, 0x1p-53); // exactly half an ulp of 1: ties to even stay at 1
    assertEquals(1.0, s.get(0), 0.0);
    s.add(0, 0x1p-80); // now just above half: rounds up
    assertEquals(1.0 + 0x1p-52, s.get(0), 0.0);
    s.add(1, Double.MAX_VALUE);
    s.add(1, Double.MAX_VALUE);
    s.add(1, Double.MAX_VALUE);
    assertEquals(Double.POSITIVE_INFINITY, s.get(1));
    s.add(1, -Double.MAX_VALUE);
    s.add(1, -Double.MAX_VALUE);
    assertEquals(Double.MAX_VALUE, s.get(1), 0.0);
    s.add(2, -1e308);
    s.add(2, -1e308);
    s.add(2, 1e308);
    assertEquals(-1e308, s.get(2), 0.0);
  }
}
