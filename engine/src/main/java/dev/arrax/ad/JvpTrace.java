package dev.arrax.ad;

import dev.arrax.NDArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.Trace;
import dev.arrax.core.Tracer;

/** Forward-mode differentiation: every value carries a tangent, and each primitive applies its JVP rule. */
public final class JvpTrace extends Trace {
  private final String name;

  /**
   * A JVP trace at stack {@code level}; {@code name} is the transformation named in error messages (e.g.
   * {@code jvp}, {@code grad}).
   */
  public JvpTrace(int level, String name) {
    super(level);
    this.name = name;
  }

  @Override public String transformationName() { return name; }

  @Override public Tracer lift(NDArray value) { return new JvpTracer(this, value, new SymbolicZero(value.type())); }

  /**
   * A tracer of this trace carrying {@code primal} and its {@code tangent} (which may be a
   * {@link SymbolicZero}).
   */
  public JvpTracer wrap(NDArray primal, NDArray tangent) { return new JvpTracer(this, primal, tangent); }

  @Override public <P extends Params> NDArray[] process(Primitive<P> prim, NDArray[] args, P params) {
    NDArray[] primals = new NDArray[args.length], tangents = new NDArray[args.length];
    boolean allZero = true;
    for (int i = 0; i < args.length; i++) {
      JvpTracer t = (JvpTracer) args[i];
      primals[i] = t.primal();
      tangents[i] = t.tangent();
      allZero &= SymbolicZero.is(tangents[i]);
    }
    NDArray[] outP, outT;
    if (allZero) {
      outP = prim.bind(params, primals);
      outT = new NDArray[outP.length];
      for (int i = 0; i < outP.length; i++) outT[i] = new SymbolicZero(outP[i].type());
    } else {
      Primitive.JvpResult r = prim.jvp(primals, tangents, params);
      outP = r.primals();
      outT = r.tangents();
    }
    NDArray[] res = new NDArray[outP.length];
    for (int i = 0; i < outP.length; i++) {
      NDArray t = outT[i];
      if (!outP[i].dtype().isFloating()) t = new SymbolicZero(outP[i].type());
      else if (!t.type().equals(outP[i].type())) {
        throw new IllegalStateException("internal: JVP rule of " + prim.name() + " gave tangent " + t.type() + " for output " + outP[i].type());
      }
      res[i] = new JvpTracer(this, outP[i], t);
    }
    return res;
  }

  /** A primal value and its tangent. */
  public static final class JvpTracer extends Tracer {
    private final JvpTrace trace;
    private final NDArray primal;
    private final NDArray tangent;

    JvpTracer(JvpTrace trace, NDArray primal, NDArray tangent) {
      super(primal.type());
      this.trace = trace;
      this.primal = primal;
      this.tangent = tangent;
    }

    @Override public Trace trace() { return trace; }

    /** The primal value (a concrete array or a tracer of a lower trace). */
    public NDArray primal() { return primal; }

    /** The tangent, of the primal's type; a {@link SymbolicZero} where it is known to be zero. */
    public NDArray tangent() { return tangent; }

    /** Forward mode knows the primal value, so Java control flow on it works under grad and jvp, as in JAX. */
    @Override public NDArray primalOrNull() { return primal; }
  }
}
