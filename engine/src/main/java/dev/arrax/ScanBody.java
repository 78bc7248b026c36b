package dev.arrax;

/**
 * One step of {@link Lax#scan}: from the carry and the current slice {@code x} of the scanned array,
 * the next carry and this step's output {@code y} (stacked into {@link ScanResult#ys()}).
 *
 * <pre>{@code
 * // running sum: carry the total, output it at every step
 * ScanBody cumsum = (total, x) -> { NDArray t = total.add(x); return new ScanBody.Step(t, t); };
 * }</pre>
 */
@FunctionalInterface
public interface ScanBody {
  /**
   * One step: the next carry (same shape and dtype as {@code carry}) and this step's output, from the carry
   * and slice {@code x} (the scanned array without its leading axis).
   */
  Step apply(NDArray carry, NDArray x);

  /** A step's result: the new carry (same shape and dtype as the old) and the output. */
  record Step(NDArray carry, NDArray y) {}
}
