package dev.arrax.ad;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.batching.BatchTrace;
import dev.arrax.batching.Vmap;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Primitive.Batched;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.Trace;
import dev.arrax.core.TraceStack;
import dev.arrax.core.Tracer;
import dev.arrax.primitives.Batching;
import dev.arrax.primitives.Ops;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A function with a user-defined derivative (JAX's custom_jvp / custom_vjp). Applied to arguments, it
 * looks at the innermost transformation among them: under forward/reverse differentiation it uses the
 * user's rule instead of differentiating the body; under vmap it batches the body and the rule
 * together (so the rule still applies to the batched function); when staged or evaluated it runs the body.
 */
public final class CustomFunction {
  private final Function<NDArray[], NDArray> body;
  /** (primals, tangents) -> {output, output tangent}; null for a VJP-defined function. */
  private final BiFunction<NDArray[], NDArray[], NDArray[]> jvpRule;
  /** primals -> {output, residuals...}. */
  private final Function<NDArray[], NDArray[]> fwd;
  /** (residuals, output cotangent) -> one cotangent per input. */
  private final BiFunction<NDArray[], NDArray, NDArray[]> bwd;

  private CustomFunction(Function<NDArray[], NDArray> body, BiFunction<NDArray[], NDArray[], NDArray[]> jvpRule,
      Function<NDArray[], NDArray[]> fwd, BiFunction<NDArray[], NDArray, NDArray[]> bwd) {
    this.body = body;
    this.jvpRule = jvpRule;
    this.fwd = fwd;
    this.bwd = bwd;
  }

  /**
   * {@code body} with a forward-mode rule ({@code jax.custom_jvp}): the rule maps (primals, tangents) to
   * {output, output tangent}.
   */
  public static CustomFunction withJvp(Function<NDArray[], NDArray> body, BiFunction<NDArray[], NDArray[], NDArray[]> jvpRule) {
    return new CustomFunction(body, jvpRule, null, null);
  }

  /**
   * {@code body} with a reverse-mode rule ({@code jax.custom_vjp}): {@code fwd} gives {output,
   * residuals...}, {@code bwd} maps (residuals, output cotangent) to input cotangents.
   */
  public static CustomFunction withVjp(Function<NDArray[], NDArray> body, Function<NDArray[], NDArray[]> fwd,
      BiFunction<NDArray[], NDArray, NDArray[]> bwd) {
    return new CustomFunction(body, null, fwd, bwd);
  }

  /**
   * Applies the function: when the innermost trace among the arguments is a JVP trace, through the
   * custom rule; under a batching trace, batched; otherwise (plain arrays, staging) the body.
   */
  public NDArray apply(NDArray[] args) {
    Trace top = null;
    for (NDArray a : args) {
      if (a instanceof Tracer t && (top == null || t.trace().level() > top.level())) top = t.trace();
    }
    Trace dyn = TraceStack.dynamic();
    if (top == null || (dyn != null && dyn.level() > top.level())) return body.apply(args);
    if (top instanceof JvpTrace jt) return applyJvp(jt, args);
    if (top instanceof BatchTrace bt) return applyBatched(bt, args);
    return body.apply(args);
  }

  private NDArray applyJvp(JvpTrace jt, NDArray[] args) {
    int n = args.length;
    NDArray[] p = new NDArray[n], t = new NDArray[n];
    boolean allZero = true;
    for (int i = 0; i < n; i++) {
      if (args[i] instanceof JvpTrace.JvpTracer x && x.trace() == jt) {
        p[i] = x.primal();
        t[i] = x.tangent();
      } else {
        p[i] = args[i];
        t[i] = new SymbolicZero(args[i].type());
      }
      allZero &= SymbolicZero.is(t[i]);
    }
    if (allZero) return apply(p);
    NDArray[] ti = new NDArray[n];
    for (int i = 0; i < n; i++) ti[i] = Ops.instantiate(t[i]);
    if (jvpRule != null) {
      NDArray[] r = jvpRule.apply(p, ti);
      if (r.length != 2) throw new ArraxException("customJvp: the rule must return {output, tangent}, got " + r.length + " arrays");
      if (!r[0].type().equals(r[1].type())) {
        throw new ShapeException("customJvp: the rule's tangent " + r[1].type() + " does not match its output " + r[0].type());
      }
      return jt.wrap(r[0], r[1]);
    }
    NDArray[] fr = fwd.apply(p);
    NDArray y = fr[0];
    NDArray[] residuals = Arrays.copyOfRange(fr, 1, fr.length);
    NDArray ty = LINEAR_CALL.bind1(new LinearCall.P(this, residuals, y.type()), ti);
    return jt.wrap(y, ty);
  }

  private NDArray applyBatched(BatchTrace bt, NDArray[] args) {
    int n = args.length, size = bt.axisSize();
    NDArray[] vals = new NDArray[n];
    Integer[] axes = new Integer[n];
    for (int i = 0; i < n; i++) {
      if (args[i] instanceof BatchTrace.BatchTracer x && x.trace() == bt) {
        vals[i] = x.value();
        axes[i] = x.dim() == Batched.NOT_MAPPED ? null : x.dim();
      } else {
        vals[i] = args[i];
      }
    }
    boolean anyMapped = false;
    for (Integer a : axes) anyMapped |= a != null;
    // every argument unmapped (lifted or NOT_MAPPED tracers): the plain call, its result unmapped too; vmap of a
    // function with no mapped argument is an error (found by ProgramFuzzTest, seed 3224)
    if (!anyMapped) {
      NDArray y = apply(vals);
      return y instanceof BatchTrace.BatchTracer t && t.trace() == bt ? y : bt.wrap(y, Batched.NOT_MAPPED);
    }
    Integer[] zero = {0};
    Function<NDArray[], NDArray> bBody = xs -> Vmap.apply(a -> new NDArray[] {body.apply(a)}, axes, zero, xs)[0];
    CustomFunction batched;
    if (jvpRule != null) {
      Integer[] both = concat(axes, axes);
      batched = withJvp(bBody, (ps, ts) -> Vmap.apply(a -> jvpRule.apply(Arrays.copyOfRange(a, 0, n), Arrays.copyOfRange(a, n, 2 * n)),
          both, zero, concat(ps, ts)));
    } else {
      Function<NDArray[], NDArray[]> bFwd = ps -> Vmap.apply(fwd, axes, zero, ps);
      BiFunction<NDArray[], NDArray, NDArray[]> bBwd = (res, ct) -> {
        Integer[] resAxes = new Integer[res.length + 1];
        Arrays.fill(resAxes, 0);
        NDArray[] cts = Vmap.apply(a -> bwd.apply(Arrays.copyOfRange(a, 0, res.length), a[res.length]), resAxes, zero, concat(res, ct));
        for (int i = 0; i < cts.length; i++) {
          cts[i] = axes[i] == null ? Ops.reduceSum(cts[i], 0) : Batching.moveAxis(cts[i], 0, axes[i]);
        }
        return cts;
      };
      batched = withVjp(bBody, bFwd, bBwd);
    }
    return bt.wrap(batched.apply(vals), 0);
  }

  private static <T> T[] concat(T[] a, T[] b) {
    T[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static NDArray[] concat(NDArray[] a, NDArray b) {
    NDArray[] r = Arrays.copyOf(a, a.length + 1);
    r[a.length] = b;
    return r;
  }

  private static final LinearCall LINEAR_CALL = new LinearCall();

  /**
   * The tangent of a customVjp function inside reverse mode: linear in the input tangents, with the
   * user's backward function as its transpose rule. It cannot be evaluated forward, which is what
   * forward-mode differentiation of a VJP-only function would need (as in JAX).
   */
  static final class LinearCall extends Primitive<LinearCall.P> {
    record P(CustomFunction fn, NDArray[] residuals, ArrayType outType) implements Params {}

    LinearCall() {
      super("custom_vjp_call", P.class);
    }

    @Override public ArrayType[] outTypes(ArrayType[] in, P p) { return new ArrayType[] {p.outType()}; }

    @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
      throw forwardModeError();
    }

    @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, P p) {
      throw forwardModeError();
    }

    private static ArraxException forwardModeError() {
      return new ArraxException("forward-mode differentiation (jvp, jacfwd, hessian) of a customVjp function is not supported: "
          + "it defines only a reverse-mode rule. Use grad/vjp/jacrev, or define the derivative with Arrax.customJvp.");
    }

    @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
      NDArray[] cts = p.fn().bwd.apply(p.residuals(), ct[0]);
      if (cts.length != in.length) {
        throw new ArraxException("customVjp: the backward function returned " + cts.length + " cotangents for " + in.length + " inputs");
      }
      NDArray[] out = new NDArray[in.length];
      for (int i = 0; i < in.length; i++) {
        if (cts[i] == null || !dev.arrax.core.UndefinedPrimal.is(in[i])) continue;
        if (!cts[i].type().equals(in[i].type())) {
          throw new ShapeException("customVjp: the backward function's cotangent " + i + " is " + cts[i].type() + " but the input is " + in[i].type());
        }
        out[i] = cts[i];
      }
      return out;
    }
  }
}
