package dev.arrax.compile.cpu;

import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Shapes;

/** Moves array axes for kernels that need a row-major layout. */
final class Layout {
  private Layout() {}

  /**
   * The array with axes permuted, as a new row-major buffer; the same buffer when only size-1 axes
   * move (the element order is then unchanged).
   */
  static ConcreteArray permute(ConcreteArray x, int[] perm) {
    int[] s = x.shape();
    int last = -1;
    boolean inOrder = true;
    for (int p : perm) {
      if (s[p] == 1) continue;
      if (p < last) inOrder = false;
      last = p;
    }
    int[] out = new int[perm.length];
    for (int i = 0; i < perm.length; i++) out[i] = s[perm[i]];
    ArrayType t = new ArrayType(x.dtype(), out);
    if (inOrder) return new ConcreteArray(t, x.buffer());
    int[] inStrides = Shapes.strides(s);
    int r = perm.length;
    int[] stride = new int[r];
    for (int i = 0; i < r; i++) stride[i] = inStrides[perm[i]];
    Buffer src = x.buffer(), dst = Buffer.allocate(x.dtype(), x.size());
    int[] idx = new int[r];
    int off = 0;
    int total = x.size();
    Object sa = src.array(), da = dst.array();
    for (int f = 0; f < total; f++) {
      if (sa instanceof float[] fs) ((float[]) da)[f] = fs[off];
      else if (sa instanceof double[] ds) ((double[]) da)[f] = ds[off];
      else dst.copyElement(f, src, off);
      for (int a = r - 1; a >= 0; a--) {
        off += stride[a];
        if (++idx[a] < out[a]) break;
        off -= stride[a] * out[a];
        idx[a] = 0;
      }
    }
    return new ConcreteArray(t, dst);
  }
}
