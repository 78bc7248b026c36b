package dev.arrax.core;

import java.util.Arrays;

/** Small helpers over int[] shapes and axes. */
public final class Shapes {
  private Shapes() {}

  /**
   * The number of elements, the product of the dimensions (1 for {@code []}).
   * @throws IllegalArgumentException if it exceeds 2^31 - 1
   */
  public static int size(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("array of shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
    return (int) n;
  }

  /** Row-major strides in elements. */
  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** Normalizes a possibly negative axis against a rank, or throws naming the op. */
  public static int axis(String op, int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new dev.arrax.ShapeException(op + ": axis " + axis + " is out of bounds for an array of rank " + rank
          + " (valid axes are " + (rank == 0 ? "none" : (-rank) + ".." + (rank - 1)) + ")" + CallSite.describe());
    }
    return a;
  }

  /** {@code [2, 3]}, for error messages. */
  public static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  /** {@code [0, 1, ..., n - 1]}, e.g. every axis of a rank-n array. */
  public static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) r[i] = i;
    return r;
  }

  /** True if {@code x} occurs in {@code xs}. */
  public static boolean contains(int[] xs, int x) {
    for (int v : xs) if (v == x) return true;
    return false;
  }

  /** Shape with the listed axes removed. */
  public static int[] removeAxes(int[] shape, int[] axes) {
    int[] out = new int[shape.length - axes.length];
    int j = 0;
    for (int i = 0; i < shape.length; i++) if (!contains(axes, i)) out[j++] = shape[i];
    return out;
  }

  /** Inserts {@code size} at position {@code axis}. */
  public static int[] insert(int[] shape, int axis, int size) {
    int[] out = new int[shape.length + 1];
    for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? size : shape[j++];
    return out;
  }

  /** {@code shape} without axis {@code axis} (already normalized). */
  public static int[] remove(int[] shape, int axis) {
    int[] out = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) out[j++] = shape[i];
    return out;
  }

  /** Permutation moving axis {@code from} to position {@code to}. */
  public static int[] moveAxisPerm(int rank, int from, int to) {
    int[] rest = new int[rank - 1];
    for (int i = 0, j = 0; i < rank; i++) if (i != from) rest[j++] = i;
    int[] perm = new int[rank];
    for (int i = 0, j = 0; i < rank; i++) perm[i] = i == to ? from : rest[j++];
    return perm;
  }

  /**
   * The inverse permutation: {@code inv[perm[i]] = i}, so transposing by {@code perm} then by {@code inv}
   * is the identity.
   */
  public static int[] inversePerm(int[] perm) {
    int[] inv = new int[perm.length];
    for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
    return inv;
  }

  /** {@code a} followed by {@code b}. */
  public static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** NumPy broadcasting of two shapes, or null when they are incompatible. */
  public static int[] broadcast(int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
      int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
      if (da == db || db == 1) out[i] = da;
      else if (da == 1) out[i] = db;
      else return null;
    }
    return out;
  }
}
