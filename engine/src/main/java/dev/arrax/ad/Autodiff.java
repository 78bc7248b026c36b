package dev.arrax.ad;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.TraceStack;
import dev.arrax.ir.Program;
import dev.arrax.primitives.Ops;
import dev.arrax.staging.StagingTrace;
import java.util.function.Function;

/**
 * Forward and reverse mode. Reverse mode is linearize-then-transpose, as in JAX: the function runs
 * under a JVP trace whose tangents are staged into a linear {@link Program} (the primal values it
 * needs become that program's constants), then {@link Transposer} runs the program backwards.
 */
public final class Autodiff {
  private Autodiff() {}

  /** Primal outputs and their tangents. */
  public record JvpOut(NDArray[] primals, NDArray[] tangents) {}

  /**
   * Forward mode ({@code jax.jvp}): runs {@code f} on JVP tracers and returns its outputs and their
   * tangents (the directional derivative along {@code tangents}).
   * @throws ShapeException if a tangent's type differs from its primal's
   */
  public static JvpOut jvp(Function<NDArray[], NDArray[]> f, NDArray[] primals, NDArray[] tangents) {
    if (primals.length != tangents.length) {
      throw new ArraxException("jvp: " + primals.length + " primals but " + tangents.length + " tangents; give one tangent per primal");
    }
    for (int i = 0; i < primals.length; i++) {
      if (!primals[i].type().equals(tangents[i].type())) {
        throw new ShapeException("jvp: tangent " + i + " has type " + tangents[i].type() + " but its primal is " + primals[i].type()
            + "; tangents must match the primals' shape and dtype");
      }
    }
    JvpTrace t = TraceStack.push(l -> new JvpTrace(l, "jvp"));
    try {
      NDArray[] in = new NDArray[primals.length];
      for (int i = 0; i < in.length; i++) {
        in[i] = t.wrap(primals[i], primals[i].dtype().isFloating() ? tangents[i] : new SymbolicZero(primals[i].type()));
      }
      NDArray[] outs = f.apply(in);
      NDArray[] p = new NDArray[outs.length], tg = new NDArray[outs.length];
      for (int i = 0; i < outs.length; i++) {
        if (outs[i] instanceof JvpTrace.JvpTracer jt && jt.trace() == t) {
          p[i] = jt.primal();
          tg[i] = Ops.instantiate(jt.tangent());
        } else {
          p[i] = outs[i];
          tg[i] = Ops.zeros(outs[i].type());
        }
      }
      return new JvpOut(p, tg);
    } finally {
      TraceStack.pop(t);
    }
  }

  /** Outputs of f and its linearization: a program from input tangents (of the {@code wrt} inputs) to output tangents. */
  public record Linearized(NDArray[] primals, Program linear, int[] wrt) {}

  /**
   * Linearizes {@code f} at {@code primals} ({@code jax.linearize}): the primal outputs and a staged
   * program, linear in the tangents of the inputs listed in {@code wrt}, that maps them to output tangents;
   * reverse mode transposes it.
   */
  public static Linearized linearize(String name, Function<NDArray[], NDArray[]> f, NDArray[] primals, int[] wrt) {
    JvpTrace jt = TraceStack.push(l -> new JvpTrace(l, name));
    StagingTrace st;
    try {
      st = TraceStack.push(l -> new StagingTrace(l, name + " (tangents)"));
    } catch (RuntimeException e) {
      TraceStack.pop(jt);
      throw e;
    }
    try {
      NDArray[] in = primals.clone();
      for (int k : wrt) in[k] = jt.wrap(primals[k], st.newInput(primals[k].type()));
      NDArray[] outs = f.apply(in);
      NDArray[] p = new NDArray[outs.length], tan = new NDArray[outs.length];
      for (int i = 0; i < outs.length; i++) {
        if (outs[i] instanceof JvpTrace.JvpTracer t && t.trace() == jt) {
          p[i] = t.primal();
          tan[i] = SymbolicZero.is(t.tangent()) ? ConcreteArray.zeros(t.type()) : t.tangent();
        } else {
          p[i] = outs[i];
          tan[i] = ConcreteArray.zeros(outs[i].type());
        }
      }
      return new Linearized(p, st.build(tan), wrt.clone());
    } finally {
      TraceStack.pop(st);
      TraceStack.pop(jt);
    }
  }

  /** Pulls output cotangents back to cotangents of the {@code wrt} inputs (zeros materialized). */
  public static NDArray[] pullback(Linearized lin, NDArray[] outCts) {
    ArrayType[] outTypes = lin.linear().outTypes();
    if (outCts.length != outTypes.length) {
      throw new ArraxException("vjp pullback: the function has " + outTypes.length + " outputs but " + outCts.length + " cotangents were given");
    }
    for (int i = 0; i < outCts.length; i++) {
      if (!outCts[i].type().equals(outTypes[i])) {
        throw new ShapeException("vjp pullback: cotangent " + i + " has type " + outCts[i].type() + " but the output is " + outTypes[i]
            + "; pass a cotangent of the output's shape and dtype (e.g. Np.onesLike(output))");
      }
    }
    NDArray[] cts = Transposer.backward(lin.linear(), outCts);
    for (int i = 0; i < cts.length; i++) cts[i] = Ops.instantiate(cts[i]);
    return cts;
  }

  /** Checks that differentiated inputs are floating point, with JAX's message. */
  public static void requireFloatInputs(String op, NDArray[] args, int[] argnums) {
    for (int k : argnums) {
      if (k < 0 || k >= args.length) {
        throw new ArraxException(op + ": argnum " + k + " is out of range for a function called with " + args.length + " arguments");
      }
      if (!args[k].dtype().isFloating()) {
        throw new ArraxException(op + " requires real-valued floating inputs, but argument " + k + " is " + args[k].type()
            + ". Convert it with astype(DType.FLOAT64) (or FLOAT32), or differentiate with respect to another argument.");
      }
    }
  }
}
