package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;

/**
 * Base of two-operand elementwise primitives: operands of one shape and dtype (Np broadcasts and
 * promotes before binding). Subclasses give the float64 function, the integer function and the JVP.
 */
public abstract class BinaryElementwise extends Primitive<Params.None> {
  /** A primitive for {@code op}, named {@code op.primitiveName()}, without parameters. */
  protected BinaryElementwise(dev.arrax.core.ElementwiseOp op) {
    super(op.primitiveName(), Params.None.class);
    this.op = op;
  }

  private final dev.arrax.core.ElementwiseOp op;

  @Override public final dev.arrax.core.ElementwiseOp elementwiseOp() { return op; }

  /** Whether integer operands (i32, i64, u32) are allowed; true unless overridden. */
  protected boolean acceptsIntegers() { return true; }

  /** Whether bool operands are allowed; false unless overridden. */
  protected boolean acceptsBool() { return false; }

  /** bool for comparisons, else the operand dtype. */
  protected DType outDtype(DType in) { return in; }

  /** The function on floating operands, in double precision (the result is rounded to f32 for f32 arrays). */
  protected abstract double apply(double a, double b);

  /** Integer (and bool, as 0/1) version; the result is wrapped to the output dtype. */
  protected abstract long applyInteger(long a, long b, DType dtype);

  /** Output tangent; either tangent may be a {@link SymbolicZero} but not both. */
  protected abstract NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb);

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 2) throw new ShapeException(name() + ": takes 2 operands, got " + in.length);
    ArrayType t = Elementwise.checkSame(name(), in);
    if (!acceptsIntegers() && !t.dtype().isFloating()) Elementwise.requireFloat(name(), t);
    if (!acceptsBool() && t.dtype() == DType.BOOL) Elementwise.requireNotBool(name(), t);
    return new ArrayType[] {t.withDtype(outDtype(t.dtype()))};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type(), in[1].type()}, p)[0];
    ConcreteArray out = ConcreteArray.zeros(t);
    Buffer a = in[0].buffer(), b = in[1].buffer(), o = out.buffer();
    DType d = in[0].dtype();
    int n = a.size();
    if (d.isFloating()) {
      for (int i = 0; i < n; i++) o.setDouble(i, apply(a.getDouble(i), b.getDouble(i)));
    } else {
      for (int i = 0; i < n; i++) o.setLong(i, applyInteger(a.getLong(i), b.getLong(i), d));
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, Params.None p) {
    NDArray y = bind1(p, primals[0], primals[1]);
    if ((SymbolicZero.is(tangents[0]) && SymbolicZero.is(tangents[1])) || !y.dtype().isFloating()) {
      return JvpResult.of(y, new SymbolicZero(y.type()));
    }
    return JvpResult.of(y, tangent(primals[0], primals[1], y, tangents[0], tangents[1]));
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Elementwise.batch(this, args, dims, size, p);
  }
}
