package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.ad.Autodiff;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;

/**
 * {@code cumprod}, {@code cummax} and {@code cummin} along an axis (from the end when {@code reverse}),
 * JAX's cumulative reduction primitives (cumsum is {@link Cumsum}). Numeric operands (not bool); NaN
 * propagates through max and min as in {@code lax.max}. The evaluation accumulates in order (one
 * rounding per product, as XLA's reduce-window lowering on CPU).
 *
 * <p>JVP, as JAX's {@code _cumulative_jvp_rule}: the JVP of {@link AssociativeScan} with
 * {@code lax.mul} / {@code max} / {@code min}, so ties in cummax/cummin share the tangent as max's rule
 * does. Not linear (no transpose); reverse mode transposes the JVP. vmap shifts the axis. Under jit it
 * runs on the reference evaluator (an explicit, logged fallback).
 */
public final class CumulativeReduction extends Primitive<Cumsum.P> {
  /** Which cumulative reduction. */
  public enum Kind {
    /** {@code cumprod}: running product. */
    PROD,
    /** {@code cummax}: running maximum. */
    MAX,
    /** {@code cummin}: running minimum. */
    MIN
  }

  private final Kind kind;

  CumulativeReduction(Kind kind) {
    super("cum" + kind.name().toLowerCase(java.util.Locale.ROOT), Cumsum.P.class);
    this.kind = kind;
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Cumsum.P p) {
    if (in.length != 1) throw new ShapeException(name() + ": takes one operand, got " + in.length);
    if (p.axis() < 0 || p.axis() >= in[0].rank()) throw new ShapeException(name() + ": axis " + p.axis() + " out of bounds for " + in[0]);
    if (in[0].dtype() == DType.BOOL) throw new ShapeException(name() + ": does not accept bool operands " + in[0] + "; convert with astype");
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Cumsum.P p) {
    outTypes(new ArrayType[] {in[0].type()}, p);
    int[] s = in[0].shape();
    int len = s[p.axis()], inner = Shapes.strides(s)[p.axis()], outer = len == 0 || inner == 0 ? 0 : in[0].size() / (len * inner);
    ConcreteArray r = ConcreteArray.zeros(in[0].type());
    Buffer x = in[0].buffer(), o = r.buffer();
    boolean fl = in[0].dtype().isFloating();
    for (int a = 0; a < outer; a++) {
      for (int i = 0; i < inner; i++) {
        double accD = 0;
        long accL = 0;
        for (int k0 = 0; k0 < len; k0++) {
          int k = p.reverse() ? len - 1 - k0 : k0;
          int f = (a * len + k) * inner + i;
          if (fl) {
            double v = x.getDouble(f);
            accD = k0 == 0 ? v : switch (kind) { case PROD -> accD * v; case MAX -> Math.max(accD, v); case MIN -> Math.min(accD, v); };
            o.setDouble(f, accD);
          } else {
            long v = x.getLong(f);
            accL = k0 == 0 ? v : switch (kind) { case PROD -> accL * v; case MAX -> Math.max(accL, v); case MIN -> Math.min(accL, v); };
            o.setLong(f, accL);
          }
        }
      }
    }
    return new NDArray[] {r};
  }

  private NDArray combine(NDArray a, NDArray b) {
    return switch (kind) {
      case PROD -> Ops.mul(a, b);
      case MAX -> Ops.max(a, b);
      case MIN -> Ops.min(a, b);
    };
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Cumsum.P p) {
    NDArray y = bind1(p, x[0]);
    if (SymbolicZero.is(t[0]) || !y.dtype().isFloating()) return JvpResult.of(y, new SymbolicZero(y.type()));
    Autodiff.JvpOut r = Autodiff.jvp(in -> new NDArray[] {AssociativeScan.scan(this::combine, in[0], p.axis(), p.reverse())},
        new NDArray[] {x[0]}, new NDArray[] {t[0]});
    return JvpResult.of(y, r.tangents()[0]);
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Cumsum.P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    return Batched.of(bind1(new Cumsum.P(p.axis() + 1, p.reverse()), x), 0);
  }
}
