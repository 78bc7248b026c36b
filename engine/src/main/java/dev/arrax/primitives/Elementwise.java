package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Primitive.Batched;
import dev.arrax.core.Shapes;

/** Shared rules of elementwise primitives: the equal-shape check, the batching rule. */
public final class Elementwise {
  private Elementwise() {}

  /** Elementwise primitives take operands of one shape and one dtype; broadcasting is done above, in Np. */
  static ArrayType checkSame(String op, ArrayType[] in) {
    for (int i = 1; i < in.length; i++) {
      if (!java.util.Arrays.equals(in[i].shape(), in[0].shape())) {
        throw new ShapeException(op + ": operand shapes must be equal at the primitive level, got " + in[0] + " and " + in[i]
            + " (Np." + npName(op) + " broadcasts; primitives and Lax do not: use Np." + npName(op) + " or Np.broadcastTo first)");
      }
      if (in[i].dtype() != in[0].dtype()) {
        throw new ShapeException(op + ": operand dtypes must be equal at the primitive level, got " + in[0] + " and " + in[i]
            + " (Np." + npName(op) + " promotes dtypes; or convert one operand with astype)");
      }
    }
    return in[0];
  }

  /** The Np function that broadcasts and promotes for a primitive, for hints (primitive names are lax's: mul, ge, ...). */
  private static String npName(String prim) {
    return switch (prim) {
      case "sub" -> "subtract";
      case "mul" -> "multiply";
      case "div" -> "divide";
      case "pow" -> "power";
      case "max" -> "maximum";
      case "min" -> "minimum";
      case "eq" -> "equal";
      case "ne" -> "notEqual";
      case "lt" -> "less";
      case "le" -> "lessEqual";
      case "gt" -> "greater";
      case "ge" -> "greaterEqual";
      case "and" -> "logicalAnd";
      case "or" -> "logicalOr";
      case "select_n" -> "where";
      default -> prim;
    };
  }

  static void requireFloat(String op, ArrayType t) {
    if (!t.dtype().isFloating()) {
      throw new ShapeException(op + ": requires a floating dtype (f32 or f64), got " + t + "; convert with astype(DType.FLOAT64)");
    }
  }

  static void requireNotBool(String op, ArrayType t) {
    if (t.dtype() == DType.BOOL) throw new ShapeException(op + ": not defined for bool arrays, got " + t + "; convert with astype");
  }

  static ConcreteArray alloc(ArrayType t) { return ConcreteArray.zeros(t); }

  /**
   * vmap of an elementwise primitive: move every batched axis to the front and broadcast unbatched
   * operands along it, so the primitive sees operands of one shape; the output is batched at 0.
   */
  static <P extends dev.arrax.core.Params> Batched batch(dev.arrax.core.Primitive<P> prim, NDArray[] args, int[] dims, int size, P params) {
    NDArray[] moved = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) moved[i] = Batching.moveToFront(args[i], dims[i], size);
    return new Batched(prim.bind(params, moved), zeros(prim.outTypes(types(moved), params).length));
  }

  static ArrayType[] types(NDArray[] xs) {
    ArrayType[] t = new ArrayType[xs.length];
    for (int i = 0; i < xs.length; i++) t[i] = xs[i].type();
    return t;
  }

  private static int[] zeros(int n) { return new int[n]; }

  static int size(int[] shape) { return Shapes.size(shape); }

  static Buffer buf(ConcreteArray a) { return a.buffer(); }
}
