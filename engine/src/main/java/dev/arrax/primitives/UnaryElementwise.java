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
 * Base of one-operand elementwise primitives (like JAX's {@code standard_unop} + {@code defjvp}): a
 * subclass gives the scalar function and the derivative, and inherits the shape rule, evaluation and
 * batching. Floating operands only unless {@link #acceptsIntegers()}.
 */
public abstract class UnaryElementwise extends Primitive<Params.None> {
  /** A primitive for {@code op}, named {@code op.primitiveName()}, without parameters. */
  protected UnaryElementwise(dev.arrax.core.ElementwiseOp op) {
    super(op.primitiveName(), Params.None.class);
    this.op = op;
  }

  private final dev.arrax.core.ElementwiseOp op;

  @Override public final dev.arrax.core.ElementwiseOp elementwiseOp() { return op; }

  /** Whether integer (and bool) operands are allowed. */
  protected boolean acceptsIntegers() { return false; }

  /**
   * The result dtype for an operand of dtype {@code in}: {@code in} unless overridden (bool for
   * {@code is_finite}).
   */
  protected DType outDtype(DType in) { return in; }

  /** The function in float64. */
  protected abstract double apply(double x);

  /** The function on integers; only called when {@link #acceptsIntegers()}. */
  protected long applyInteger(long x, DType dtype) {
    throw new IllegalStateException(name() + " has no integer implementation");
  }

  /** Output tangent for input {@code x}, output {@code y} and a nonzero input tangent {@code t}. */
  protected abstract NDArray tangent(NDArray x, NDArray y, NDArray t);

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 1) throw new ShapeException(name() + ": takes 1 operand, got " + in.length);
    if (!acceptsIntegers()) Elementwise.requireFloat(name(), in[0]);
    return new ArrayType[] {in[0].withDtype(outDtype(in[0].dtype()))};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type()}, p)[0];
    ConcreteArray out = ConcreteArray.zeros(t);
    Buffer x = in[0].buffer(), o = out.buffer();
    DType d = in[0].dtype();
    int n = x.size();
    if (d.isFloating()) {
      for (int i = 0; i < n; i++) o.setDouble(i, apply(x.getDouble(i)));
    } else {
      for (int i = 0; i < n; i++) o.setLong(i, applyInteger(x.getLong(i), d));
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, Params.None p) {
    NDArray y = bind1(p, primals[0]);
    NDArray t = tangents[0];
    if (SymbolicZero.is(t) || !y.dtype().isFloating()) return JvpResult.of(y, new SymbolicZero(y.type()));
    return JvpResult.of(y, tangent(primals[0], y, t));
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Batched.of(bind1(p, args[0]), dims[0]);
  }
}
