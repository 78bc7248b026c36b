package dev.arrax.primitives;

/** Multi-index arithmetic for the reference evaluators. */
public final class Indexing {
  private Indexing() {}

  /** Writes the row-major multi-index of {@code flat} into {@code out}. */
  static void unravel(int flat, int[] shape, int[] out) {
    for (int i = shape.length - 1; i >= 0; i--) {
      int d = shape[i];
      out[i] = d == 0 ? 0 : flat % d;
      flat = d == 0 ? 0 : flat / d;
    }
  }

  static int ravel(int[] index, int[] strides) {
    int f = 0;
    for (int i = 0; i < index.length; i++) f += index[i] * strides[i];
    return f;
  }
}
