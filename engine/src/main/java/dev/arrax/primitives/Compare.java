package dev.arrax.primitives;

import dev.arrax.core.ElementwiseOp;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** Elementwise comparison to bool (eq, ne, lt, le, gt, ge), IEEE semantics: NaN compares unequal to all. */
public final class Compare extends BinaryElementwise {
  private final ElementwiseOp op;

  /** {@code op}: one of {@link ElementwiseOp#COMPARISONS} but is_finite. */
  Compare(ElementwiseOp op) {
    super(op);
    this.op = op;
  }

  @Override protected boolean acceptsBool() { return true; }

  @Override protected DType outDtype(DType in) { return DType.BOOL; }

  @Override protected double apply(double a, double b) {
    boolean r = switch (op) {
      case EQ -> a == b;
      case NE -> a != b;
      case LT -> a < b;
      case LE -> a <= b;
      case GT -> a > b;
      case GE -> a >= b;
      default -> throw new IllegalStateException("not a comparison: " + op);
    };
    return r ? 1 : 0;
  }

  @Override protected long applyInteger(long a, long b, DType d) {
    boolean r = switch (op) {
      case EQ -> a == b;
      case NE -> a != b;
      case LT -> a < b;
      case LE -> a <= b;
      case GT -> a > b;
      case GE -> a >= b;
      default -> throw new IllegalStateException("not a comparison: " + op);
    };
    return r ? 1 : 0;
  }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    return new SymbolicZero(y.type());
  }
}
