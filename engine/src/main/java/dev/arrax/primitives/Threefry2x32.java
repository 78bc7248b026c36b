package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;

/**
 * The Threefry-2x32 block cipher of Salmon et al. ("Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011) with 20 rounds, JAX's {@code threefry2x32_p}: operands {@code (k0, k1, c0, c1)}, four u32
 * arrays of one shape, hashed elementwise (key word pair, counter word pair) to two u32 arrays.
 *
 * <pre>
 *   ks = (k0, k1, k0 ^ k1 ^ 0x1BD11BDA); x = (c0 + k0, c1 + k1)
 *   five times, rotations alternating R0 = (13, 15, 26, 6) and R1 = (17, 29, 16, 24), for i = 1..5:
 *     for r in R: x0 += x1; x1 = rotl(x1, r) ^ x0
 *     x0 += ks[i % 3]; x1 += ks[(i + 1) % 3] + i
 * </pre>
 * All arithmetic wraps modulo 2^32. Elementwise, so vmap over keys gives independent streams; the
 * outputs are integers, so the derivative is zero.
 */
public final class Threefry2x32 extends Primitive<Params.None> {
  Threefry2x32() {
    super("threefry2x32", Params.None.class);
  }

  private static final int[][] ROTATIONS = {{13, 15, 26, 6}, {17, 29, 16, 24}};

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 4) throw new ShapeException("threefry2x32: takes 4 operands (key words k0, k1 and counter words c0, c1), got " + in.length);
    ArrayType t = Elementwise.checkSame("threefry2x32", in);
    if (t.dtype() != DType.UINT32) throw new ShapeException("threefry2x32: operands must be u32, got " + t);
    return new ArrayType[] {t, t};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    ArrayType t = outTypes(Elementwise.types(in), p)[0];
    ConcreteArray o0 = ConcreteArray.zeros(t), o1 = ConcreteArray.zeros(t);
    int[] k0 = (int[]) in[0].buffer().array(), k1 = (int[]) in[1].buffer().array();
    int[] c0 = (int[]) in[2].buffer().array(), c1 = (int[]) in[3].buffer().array();
    int[] y0 = (int[]) o0.buffer().array(), y1 = (int[]) o1.buffer().array();
    int[] out = new int[2];
    for (int i = 0; i < y0.length; i++) {
      hash(k0[i], k1[i], c0[i], c1[i], out);
      y0[i] = out[0];
      y1[i] = out[1];
    }
    return new NDArray[] {o0, o1};
  }

  /** One block: the two output words of key (k0, k1) and counter (c0, c1) into {@code out}. */
  static void hash(int k0, int k1, int c0, int c1, int[] out) {
    int[] ks = {k0, k1, k0 ^ k1 ^ 0x1BD11BDA};
    int x0 = c0 + k0, x1 = c1 + k1;
    for (int i = 1; i <= 5; i++) {
      for (int r : ROTATIONS[(i - 1) % 2]) {
        x0 += x1;
        x1 = Integer.rotateLeft(x1, r) ^ x0;
      }
      x0 += ks[i % 3];
      x1 += ks[(i + 1) % 3] + i;
    }
    out[0] = x0;
    out[1] = x1;
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray[] y = bind(p, x);
    return new JvpResult(y, new NDArray[] {new SymbolicZero(y[0].type()), new SymbolicZero(y[1].type())});
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Elementwise.batch(this, args, dims, size, p);
  }
}
