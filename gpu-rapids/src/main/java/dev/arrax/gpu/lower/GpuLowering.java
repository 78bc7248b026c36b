package dev.arrax.gpu.lower;

import dev.arrax.backend.ProgramPlan;
import dev.arrax.gpu.plan.GpuPlan;
import dev.arrax.core.ElementwiseOp;
import dev.arrax.core.Primitive;
import dev.arrax.primitives.Primitives;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a {@link ProgramPlan} (an optimized program whose row-mapped inputs are known) to a
 * {@link GpuPlan}: column-wise device work for cuDF. Or, where it cannot, says for each segment it would
 * not run why, naming the operation and the types ("erf f32[1000,64] has no cuDF lowering").
 *
 * <p>How per-row work becomes column work. Every value of the program is classified (the row-axis
 * analysis):
 * <ul>
 *   <li><b>per row</b>: computed from row-mapped inputs, with the row axis at axis 0 and every operation
 *       keeping it there (elementwise operations, broadcasts and reshapes that keep axis 0, reductions and
 *       contractions over the other axes). A row of up to {@code narrowMax} elements is <i>narrow</i>:
 *       each element is its own device column (W1's {@code X[rows, 32]} is 32 columns) and each element of a
 *       result is an AST expression over them, so {@code x @ W} with a small parameter matrix unrolls into
 *       sums of products with {@code W}'s elements as literals. A longer row is <i>wide</i>: one column of
 *       {@code rows * width} values (W2's logits), reduced per row with segmented reductions.</li>
 *   <li><b>parameters</b>: computed from inputs that are not row-mapped and constants only: host arrays.
 *       Broadcasts, transposes, slices and reshapes of them are strided views (free); other operations run
 *       on the host before the device work (the prelude), and only on parameter-sized arrays. Their elements
 *       enter ASTs as literals bound when the plan runs.</li>
 *   <li><b>sums over rows</b>: per-row values summed over the row axis (W3's gradient {@code X^T r}):
 *       column sums read back to the host, where what follows runs (the epilogue).</li>
 * </ul>
 * A program that moves the row axis (a reshape mixing it with other axes, a transpose moving it, a
 * contraction pairing it with another axis) or reads a sum over rows in per-row work is declined: the
 * CPU runs it. A wrong guess of which axis is the row axis costs speed, never correctness.
 */
public final class GpuLowering {
  private GpuLowering() {}

  /**
   * Limits of the lowering (system properties {@code arrax.gpu.narrowMax}, {@code arrax.gpu.maxAstOperators},
   * {@code arrax.gpu.fanoutInlineOperators}, {@code arrax.gpu.hostMaxElements}).
   *
   * @param narrowMax              most elements per row kept as separate columns (default 256)
   * @param maxAstOperators        most operators in one AST before operands become columns (default 512)
   * @param fanoutInlineOperators  a value read more than once is recomputed in each reader's AST when it has at
   *                               most this many operators, else it becomes a column (default 1)
   * @param hostMaxElements        most elements of a host step's result (default 1,048,576)
   */
  public record Limits(int narrowMax, int maxAstOperators, int fanoutInlineOperators, int hostMaxElements) {
    /** The limits from the system properties above, each defaulting as documented. */
    public static Limits defaults() {
      return new Limits(Integer.getInteger("arrax.gpu.narrowMax", 256), Integer.getInteger("arrax.gpu.maxAstOperators", 512),
          Integer.getInteger("arrax.gpu.fanoutInlineOperators", 1), Integer.getInteger("arrax.gpu.hostMaxElements", 1 << 20));
    }
  }

  /**
   * The lowering of a program: the plan when every segment lowers, else the reasons per declined segment
   * (by segment index; a segment that only depends on a declined one says so).
   */
  public record Result(GpuPlan plan, Map<Integer, String> declined) {
    /** Copies {@code declined} into an unmodifiable map. */
    public Result {
      declined = Map.copyOf(declined);
    }

    /** True when {@code plan} is set, that is every segment lowered. */
    public boolean lowered() { return plan != null; }
  }

  /**
   * The primitives with a per-row lowering: every elementwise primitive but erf, erf_inv and the shifts
   * (f32, f64 and bool rows; not, and, or, xor on bool), and broadcast_in_dim, reshape, transpose, slice,
   * concatenate, reduce_sum/max/min/prod and dot_general under the row-axis rules above. On parameters
   * (and sums over rows) every primitive runs, on the host.
   */
  public static Set<Primitive<?>> perRowPrimitives() {
    Set<Primitive<?>> s = new LinkedHashSet<>();
    Set<ElementwiseOp> missing = EnumSet.of(ElementwiseOp.ERF, ElementwiseOp.ERF_INV, ElementwiseOp.SHIFT_LEFT, ElementwiseOp.SHIFT_RIGHT_LOGICAL);
    for (Primitive<?> p : Primitives.all()) if (p.elementwiseOp() != null && !missing.contains(p.elementwiseOp())) s.add(p);
    s.addAll(List.of(Primitives.BROADCAST_IN_DIM, Primitives.RESHAPE, Primitives.TRANSPOSE, Primitives.SLICE, Primitives.CONCATENATE,
        Primitives.REDUCE_SUM, Primitives.REDUCE_MAX, Primitives.REDUCE_MIN, Primitives.REDUCE_PROD, Primitives.DOT_GENERAL));
    return s;
  }

  /** Lowers {@code plan} with {@link Limits#defaults()}. */
  public static Result lower(ProgramPlan plan) {
    return lower(plan, Limits.defaults());
  }

  /**
   * Lowers every segment of {@code plan} into one {@link GpuPlan}, or says per segment why it was declined.
   */
  public static Result lower(ProgramPlan plan, Limits limits) {
    return new Lowerer(plan, limits).run();
  }
}
