package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.backend.Claim;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.compile.Passes;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.primitives.Ops;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the GPU declines, with the exact reason each declined segment shows in explain(). */
class DeclineTest {
  private static final int N = 1000;

  private static ProgramPlan plan(MultiFn f, NDArray... args) {
    return ProgramPlan.of(Passes.optimize(Arrax.makeJaxprMulti(f, args)));
  }

  private static NDArray x(int... shape) {
    int n = 1;
    for (int s : shape) n *= s;
    return NDArray.fromFlat(new float[n], shape);
  }

  private static Map<Integer, String> declined(ProgramPlan p) {
    GpuLowering.Result r = GpuLowering.lower(p);
    assertFalse(r.lowered(), "expected a decline for\n" + p.program());
    return r.declined();
  }

  @Test void sortHasNoLowering() {
    ProgramPlan p = plan(a -> Ops.sort(new NDArray[] {a[0]}, 1, 1), x(N, 64));
    assertEquals(Map.of(0, "sort f32[1000,64] has no cuDF lowering"), declined(p));
    Claim c = new CudfBackend().claim(p.segments().get(0), p);
    assertEquals("sort f32[1000,64] has no cuDF lowering", c.reason());
  }

  @Test void erfHasNoAstOperator() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.erf(a[0])}, x(N, 64));
    assertEquals(Map.of(0, "erf f32[1000,64] has no cuDF lowering (the cuDF 26.08.1 AST has no erf)"), declined(p));
  }

  @Test void aSegmentAfterADeclinedOneSaysSo() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.exp(Ops.sort(new NDArray[] {a[0]}, 1, 1)[0])}, x(N, 64));
    assertEquals(Map.of(0, "sort f32[1000,64] has no cuDF lowering", 1, "it depends on segment #0, which the GPU declines"), declined(p));
  }

  @Test void outerProductOverRows() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.dotGeneral(a[0], a[1], new int[0], new int[0], new int[0], new int[0])}, x(N, 4), x(N, 3));
    assertEquals(Map.of(0, "dot_general f32[1000,4], f32[1000,3]: dot_general of two row-mapped operands f32[1000,4] and f32[1000,3] that does"
        + " not pair their row axes (an outer product over rows, or a row axis paired with another axis)"), declined(p));
  }

  @Test void contractingTheRowAxisWithAParameterAxis() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.dotGeneral(a[0], a[1], new int[] {0}, new int[] {1}, new int[0], new int[0])}, x(N, 4), x(3, N));
    // a [3, 1000] parameter is not row-mapped: ProgramPlan.of maps only inputs whose axis 0 has the rows
    assertEquals(Map.of(0, "dot_general f32[1000,4], f32[3,1000]: dot_general contracts the row axis of f32[1000,4] with axis 1 of the parameter"
        + " f32[3,1000] (a parameter that differs per row)"), declined(p));
  }

  @Test void reshapeMixingTheRowAxis() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.exp(Ops.reshape(a[0], N * 4))}, x(N, 4));
    assertEquals(Map.of(0, "reshape f32[1000,4]: reshape f32[1000,4] -> f32[4000] merges or splits the row axis",
        1, "it depends on segment #0, which the GPU declines"), declined(p));
  }

  @Test void transposeMovingTheRowAxis() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.exp(Ops.transpose(a[0], 1, 0))}, x(N, 4));
    assertEquals(Map.of(0, "transpose f32[1000,4]: transpose [1, 0] moves the row axis", 1, "it depends on segment #0, which the GPU declines"),
        declined(p));
  }

  @Test void integerRows() {
    NDArray ints = NDArray.fromFlat(new double[N * 3], DType.INT32, N, 3);
    ProgramPlan p = plan(a -> new NDArray[] {Ops.add(a[0], a[0])}, ints);
    assertEquals(Map.of(0, "input #0 i32[1000,3]: integer row values are not lowered (cuDF's integer casts and division differ from the engine's"
        + " saturating, wrap-around semantics)"), declined(p));
  }

  @Test void maxOverRows() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.reduceMax(a[0], 0)}, x(N, 4));
    assertEquals(Map.of(0, "reduce_max f32[1000,4]: reduce_max over the row axis is not lowered (only sums over rows are)"), declined(p));
  }

  @Test void aSumOverRowsInsidePerRowWork() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.sub(a[0], Ops.broadcastInDim(Ops.reduceSum(a[0], 0), new int[] {N, 4}, new int[] {1}))}, x(N, 4));
    assertEquals(Map.of(0, "sub f32[1000,4], f32[1000,4] reads a sum over rows inside per-row work (that needs a second pass over the rows)"),
        declined(p));
  }

  @Test void noRowAxis() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.exp(a[0])}, NDArray.scalar(1.0, DType.FLOAT32));
    assertEquals(Map.of(0, "no input is mapped over rows (the GPU runs batches of rows; a program without a row axis has nothing to spread over the device)"),
        declined(p));
  }

  @Test void smallBatchesStayOnTheCpu() {
    ProgramPlan p = plan(a -> new NDArray[] {Ops.exp(a[0])}, x(N, 4));
    assertTrue(GpuLowering.lower(p).lowered());
    Claim c = new CudfBackend().claimProgram(p);
    assertEquals("a batch of 1000 rows is below arrax.gpu.minRows=100000 (smaller batches run faster on the CPU than the transfers and kernel"
        + " launches take)", c.reason());
  }
}
