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
import dev.arrax.core.UndefinedPrimal;

/**
 * {@code select_n(pred, onFalse, onTrue)}: picks elementwise from the second operand where pred is
 * false and the third where true. The derivative and the cotangent go to the chosen branch only, so a
 * NaN or inf in the branch not taken does not leak into gradients through the select itself.
 */
public final class Select extends Primitive<Params.None> {
  Select() {
    super("select_n", Params.None.class);
  }

  @Override public dev.arrax.core.ElementwiseOp elementwiseOp() { return dev.arrax.core.ElementwiseOp.SELECT_N; }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 3) throw new ShapeException("select_n: takes a predicate and 2 cases, got " + in.length + " operands");
    if (in[0].dtype() != DType.BOOL) throw new ShapeException("select_n: predicate must be bool, got " + in[0]);
    if (!java.util.Arrays.equals(in[0].shape(), in[1].shape())) {
      throw new ShapeException("select_n: predicate " + in[0] + " and cases " + in[1] + ", " + in[2] + " must all have one shape (Np.where broadcasts)");
    }
    return new ArrayType[] {Elementwise.checkSame("select_n", new ArrayType[] {in[1], in[2]})};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    ConcreteArray out = ConcreteArray.zeros(in[1].type());
    Buffer pr = in[0].buffer(), f = in[1].buffer(), t = in[2].buffer(), o = out.buffer();
    for (int i = 0; i < o.size(); i++) o.copyElement(i, pr.getBool(i) ? t : f, i);
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray y = bind1(p, x);
    if ((SymbolicZero.is(t[1]) && SymbolicZero.is(t[2])) || !y.dtype().isFloating()) return JvpResult.of(y, new SymbolicZero(y.type()));
    return JvpResult.of(y, bind1(p, x[0], Ops.instantiate(t[1]), Ops.instantiate(t[2])));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    if (UndefinedPrimal.is(in[0])) throw new dev.arrax.ArraxException("select_n: the predicate cannot be linear");
    NDArray zero = Ops.zeros(ct[0].type());
    return new NDArray[] {
        null,
        UndefinedPrimal.is(in[1]) ? bind1(p, in[0], ct[0], zero) : null,
        UndefinedPrimal.is(in[2]) ? bind1(p, in[0], zero, ct[0]) : null};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Elementwise.batch(this, args, dims, size, p);
  }
}
