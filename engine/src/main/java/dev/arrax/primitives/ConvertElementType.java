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
 * Converts to another dtype. Float to integer truncates toward zero and saturates (NaN gives 0); to
 * bool is {@code x != 0}. Between floating types it is linear; to or from integers the derivative is zero.
 */
public final class ConvertElementType extends Primitive<ConvertElementType.P> {
  /** Parameters: the dtype to convert to. */
  public record P(DType newDtype) implements Params {}

  ConvertElementType() {
    super("convert_element_type", P.class);
  }

  @Override public dev.arrax.core.ElementwiseOp elementwiseOp() { return dev.arrax.core.ElementwiseOp.CONVERT_ELEMENT_TYPE; }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length != 1) throw new ShapeException("convert_element_type: takes 1 operand, got " + in.length);
    return new ArrayType[] {in[0].withDtype(p.newDtype())};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ConcreteArray out = ConcreteArray.zeros(in[0].type().withDtype(p.newDtype()));
    Buffer x = in[0].buffer(), o = out.buffer();
    boolean fromFloat = in[0].dtype().isFloating();
    for (int i = 0; i < o.size(); i++) {
      if (fromFloat) o.setDouble(i, x.getDouble(i));
      else o.setLong(i, x.getLong(i));
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    boolean linear = x[0].dtype().isFloating() && p.newDtype().isFloating();
    if (!linear || SymbolicZero.is(t[0])) return JvpResult.of(y, new SymbolicZero(y.type()));
    return JvpResult.of(y, bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    return new NDArray[] {Ops.convert(ct[0], in[0].dtype())};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    return Batched.of(bind1(p, args[0]), dims[0]);
  }
}
