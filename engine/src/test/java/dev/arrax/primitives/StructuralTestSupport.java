package dev.arrax.primitives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.testing.Check;
import dev.arrax.testing.Rand;
import java.util.Arrays;
import java.util.Random;

/**
 * Support for the structural primitive tests: row-major multi-index arithmetic written independently
 * of the engine's (so the references in the tests do not share its code), random arrays of every
 * dtype, exact per-dtype assertions, and batched arguments for vmap checks.
 */
final class StructuralTestSupport {
  private StructuralTestSupport() {}

  static final DType F64 = DType.FLOAT64, F32 = DType.FLOAT32, I32 = DType.INT32, I64 = DType.INT64, U32 = DType.UINT32, BOOL = DType.BOOL;

  // ---- multi-index arithmetic ----

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  /** Row-major multi-index of flat position {@code f} in {@code shape}. */
  static int[] unravel(int f, int[] shape) {
    int[] idx = new int[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      idx[i] = f % shape[i];
      f /= shape[i];
    }
    return idx;
  }

  /** Row-major flat position of {@code idx} in {@code shape}. */
  static int ravel(int[] idx, int[] shape) {
    int f = 0;
    for (int i = 0; i < shape.length; i++) {
      if (idx[i] < 0 || idx[i] >= shape[i]) throw new IllegalArgumentException("index " + Arrays.toString(idx) + " outside " + Arrays.toString(shape));
      f = f * shape[i] + idx[i];
    }
    return f;
  }

  static int[] insert(int[] xs, int at, int v) {
    int[] r = new int[xs.length + 1];
    for (int i = 0, j = 0; i < r.length; i++) r[i] = i == at ? v : xs[j++];
    return r;
  }

  static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) r[i] = i;
    return r;
  }

  static int[] permutation(Random rng, int n) {
    int[] p = range(n);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1), t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A random subset of {@code 0..n-1} in random order. */
  static int[] subset(Random rng, int n) {
    int[] p = permutation(rng, n);
    return Arrays.copyOf(p, rng.nextInt(n + 1));
  }

  static boolean contains(int[] xs, int v) {
    for (int x : xs) if (x == v) return true;
    return false;
  }

  static String str(int[] xs) { return Arrays.toString(xs); }

  // ---- random arrays ----

  static DType pick(Rand r, DType... ds) { return ds[r.nextInt(ds.length)]; }

  /** Random values of a dtype: normals for floats, small integers (some negative) for ints, coin flips for bool. */
  static NDArray random(Rand r, DType d, int... shape) {
    double[] v = new double[size(shape)];
    Random g = r.random();
    for (int i = 0; i < v.length; i++) {
      v[i] = switch (d) {
        case FLOAT32, FLOAT64 -> g.nextGaussian();
        case INT32, INT64 -> g.nextInt(41) - 20;
        case UINT32 -> g.nextInt(41);
        case BOOL -> g.nextBoolean() ? 1 : 0;
      };
    }
    return NDArray.fromFlat(v, d, shape);
  }

  // ---- assertions ----

  /**
   * Exact comparison in the array's own dtype: {@code expected} holds the reference in float64 (for
   * floating dtypes it is rounded to the dtype first; {@code rtol} absorbs summation order) or as exact
   * integers (for integer and bool dtypes).
   */
  static void assertFloats(double[] expected, DType d, int[] shape, NDArray actual, double rtol, String msg) {
    assertEquals(d, actual.dtype(), msg + ": dtype of " + actual.type());
    assertArrayEquals(shape, actual.shape(), msg + ": shape " + actual.type() + " expected " + str(shape));
    double[] e = expected.clone();
    if (d == F32) for (int i = 0; i < e.length; i++) e[i] = (float) e[i];
    Check.close(e, actual.toDoubleArray(), rtol, 0, msg);
  }

  static void assertInts(long[] expected, DType d, int[] shape, NDArray actual, String msg) {
    assertEquals(d, actual.dtype(), msg + ": dtype of " + actual.type());
    assertArrayEquals(shape, actual.shape(), msg + ": shape " + actual.type() + " expected " + str(shape));
    long[] a = actual.toLongArray();
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != a[i]) {
        throw new AssertionError(msg + ": element " + i + " expected " + expected[i] + " but got " + a[i] + "\n expected "
            + Arrays.toString(expected) + "\n actual   " + Arrays.toString(a));
      }
    }
    assertEquals(expected.length, a.length, msg + ": size");
  }

  /** Wraps an exact integer result into a dtype as the hardware does (i32/u32 modulo 2^32; bool is != 0). */
  static long wrap(long v, DType d) {
    return switch (d) {
      case INT32 -> (int) v;
      case UINT32 -> v & 0xffffffffL;
      case BOOL -> v != 0 ? 1 : 0;
      default -> v;
    };
  }

  // ---- vmap arguments ----

  /** Builds a random array of a shape (one generator per argument). */
  @FunctionalInterface
  interface Gen {
    NDArray of(int[] shape);
  }

  /** How the arguments of a vmap check are batched. */
  enum Mode {
    /** Every mappable argument along axis 0. */
    AXIS0,
    /** Every mappable argument along a non-zero axis (-1 for a 0-d example). */
    NONZERO,
    /** Each argument along a random axis or unmapped; at least one mapped and, with several arguments, one unmapped. */
    MIXED
  }

  record Batch(NDArray[] args, Integer[] inAxes) {
    String describe() { return "inAxes=" + Arrays.toString(inAxes) + " batched shapes=" + Arrays.toString(Arrays.stream(args).map(a -> a.type().toString()).toArray()); }
  }

  /**
   * Batched arguments for example shapes {@code shapes[i]}: a mapped argument gets the batch size
   * inserted at its in-axis. {@code mappable[i] == false} keeps argument i unmapped.
   */
  static Batch batch(Rand r, Mode mode, int size, int[][] shapes, Gen[] gens, boolean[] mappable) {
    int n = shapes.length;
    Integer[] axes = new Integer[n];
    Random g = r.random();
    for (int i = 0; i < n; i++) {
      if (!mappable[i]) continue;
      int rank = shapes[i].length;
      axes[i] = switch (mode) {
        case AXIS0 -> 0;
        case NONZERO -> rank == 0 ? -1 : 1 + g.nextInt(rank);
        case MIXED -> g.nextBoolean() ? null : g.nextInt(rank + 1);
      };
    }
    int mappableCount = 0;
    for (boolean m : mappable) if (m) mappableCount++;
    if (mode == Mode.MIXED) {
      int mapped = 0;
      for (Integer a : axes) if (a != null) mapped++;
      if (mapped == 0) {
        int i = pickMappable(g, mappable);
        axes[i] = g.nextInt(shapes[i].length + 1);
      } else if (mapped == mappableCount && mappableCount > 1) {
        axes[pickMappable(g, mappable)] = null;
      }
    }
    NDArray[] args = new NDArray[n];
    for (int i = 0; i < n; i++) {
      if (axes[i] == null) {
        args[i] = gens[i].of(shapes[i]);
      } else {
        int at = axes[i] < 0 ? axes[i] + shapes[i].length + 1 : axes[i];
        args[i] = gens[i].of(insert(shapes[i], at, size));
      }
    }
    return new Batch(args, axes);
  }

  static Batch batch(Rand r, Mode mode, int size, int[][] shapes, Gen[] gens) {
    boolean[] all = new boolean[shapes.length];
    Arrays.fill(all, true);
    return batch(r, mode, size, shapes, gens, all);
  }

  private static int pickMappable(Random g, boolean[] mappable) {
    while (true) {
      int i = g.nextInt(mappable.length);
      if (mappable[i]) return i;
    }
  }

  /** Batch sizes for vmap checks: 1 to 3, sometimes 0 (an empty batch). */
  static int batchSize(Rand r) { return r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(3); }
}
