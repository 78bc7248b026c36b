package dev.arrax;

/**
 * The body of {@link Lax#foriLoop}: the next carry from the loop index {@code i} (an INT32 scalar)
 * and the current carry, e.g. {@code (i, x) -> x.mul(2.0).add(i.astype(DType.FLOAT64))}.
 */
@FunctionalInterface
public interface LoopBody {
  NDArray apply(NDArray i, NDArray carry);
}
