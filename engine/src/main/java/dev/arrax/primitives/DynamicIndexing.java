package dev.arrax.primitives;

import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;

/** Shared checks of dynamic_slice and dynamic_update_slice: start indices are integer scalars, clamped into range. */
public final class DynamicIndexing {
  private DynamicIndexing() {}

  static void checkIndices(String op, ArrayType operand, ArrayType[] in, int first) {
    int n = in.length - first;
    if (n != operand.rank()) {
      throw new ShapeException(op + ": needs " + operand.rank() + " start indices for " + operand + ", got " + n);
    }
    for (int i = first; i < in.length; i++) {
      if (in[i].rank() != 0 || !in[i].dtype().isInteger()) {
        throw new ShapeException(op + ": start index " + (i - first) + " must be an integer scalar, got " + in[i]);
      }
    }
  }

  /** XLA clamps start indices so the window stays inside the operand. */
  static int[] clampedStarts(ConcreteArray[] in, int first, int[] operandShape, int[] window) {
    int[] s = new int[operandShape.length];
    for (int i = 0; i < s.length; i++) {
      long v = in[first + i].buffer().getLong(0);
      s[i] = (int) Math.max(0, Math.min(v, operandShape[i] - window[i]));
    }
    return s;
  }
}
