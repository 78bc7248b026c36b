package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.core.Primitive.Batched;
import dev.arrax.core.Shapes;

/** Helpers for batching rules: where the batch axis is and how to move it. */
public final class Batching {
  private Batching() {}

  /**
   * Returns {@code x} with its batch axis first; an unbatched {@code x} is broadcast to {@code size}
   * along a new leading axis.
   */
  public static NDArray moveToFront(NDArray x, int dim, int size) {
    if (dim == Batched.NOT_MAPPED) {
      int[] shape = x.shape();
      int[] dims = new int[shape.length];
      for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
      return Ops.broadcastInDim(x, Shapes.insert(shape, 0, size), dims);
    }
    return moveAxis(x, dim, 0);
  }

  /**
   * Transposes {@code x} so that axis {@code from} is at position {@code to}, the other axes keeping their
   * order; returns {@code x} itself if {@code from == to}.
   */
  public static NDArray moveAxis(NDArray x, int from, int to) {
    if (from == to) return x;
    return Ops.transpose(x, Shapes.moveAxisPerm(x.ndim(), from, to));
  }
}
