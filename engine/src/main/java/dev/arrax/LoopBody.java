package dev.arrax;

/**
 * The body of {@link Lax#foriLoop}: the next carry from the loop index {@code i} (an INT32 scalar)
 * and the current carry, e.g. {@code (i, x) -> x.mul(2.0).add(i.astype(DType.FLOAT64))}.
 */
@FunctionalInterface
public interface LoopBody {
  /**
   * The next carry (same shape and dtype as {@code carry}) from the i32 scalar loop index {@code i} and the
   * current carry.
   */
  NDArray apply(NDArray i, NDArray carry);
}
