package dev.arrax.gpu.plan;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;

/**
 * A host array of a plan (a "slot"): a parameter input, a constant of the program, the result of a host
 * step, or sums over rows read back from the device. Parameter elements enter device work as AST
 * literals ({@link Expr.Param}) read from slots when the plan runs.
 *
 * @param id           index in {@link GpuPlan#slots()}
 * @param type         its type (a host step over values that repeat along the row axis is computed on
 *                     one row, so its slot has the row axis dropped)
 * @param source       where its value comes from
 * @param afterDevice  whether it is known only after the device work (sums over rows and what is
 *                     computed from them, in the epilogue)
 */
public record SlotInfo(int id, ArrayType type, Source source, boolean afterDevice) {
  /** Where a slot's value comes from. */
  public sealed interface Source permits Input, Constant, Computed, Sums {}

  /** Program input {@code input} (not mapped over rows). */
  public record Input(int input) implements Source {}

  /** A constant of the program (a literal or a captured array). */
  public record Constant(NDArray value) implements Source {}

  /** Output {@code index} of a host step. */
  public record Computed(int index) implements Source {}

  /** The scalars {@code scalarIds} (one per element, row major) of {@link Step.ColumnSum} steps, rounded to the slot's dtype. */
  public record Sums(int[] scalarIds) implements Source {}

  /**
   * Where the slot's value comes from, in words for plans: {@code input #0}, {@code literal ...},
   * {@code constant f32[3]}, {@code host step} or {@code sums over rows of n columns}.
   */
  /**
   * Where the slot's value comes from, in words for plans: {@code input #0}, {@code literal ...},
   * {@code constant f32[3]}, {@code host step} or {@code sums over rows of n columns}.
   */
  public String describeSource() {
    if (source instanceof Input in) return "input #" + in.input();
    if (source instanceof Constant c) return c.value().type().rank() == 0 ? "literal " + c.value() : "constant " + c.value().type();
    if (source instanceof Computed) return "host step";
    return "sums over rows of " + ((Sums) source).scalarIds().length + " columns";
  }
}
