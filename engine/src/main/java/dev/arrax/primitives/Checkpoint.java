package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.ad.JvpTrace;
import dev.arrax.batching.BatchTrace;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.Trace;
import dev.arrax.core.TraceStack;
import dev.arrax.core.Tracer;
import dev.arrax.core.UndefinedPrimal;
import dev.arrax.ir.Program;
import java.util.Arrays;
import java.util.function.Function;

/**
 * {@code checkpoint[body] operands...}: runs a closed sub-program, whose intermediate values reverse
 * mode does not keep but recomputes in the backward pass (JAX's {@code checkpoint}/{@code remat}).
 *
 * <p>How the saving happens. Reverse mode here is linearize-then-transpose: the primal values that the
 * tangent equations read become constants of the linear program, i.e. the residuals stored between the
 * forward and the backward pass. Under linearization the JVP rule below computes the primal outputs
 * inline and stages the tangents as one equation {@code checkpoint[jvp of body](operands, tangents)},
 * whose only residuals are the operands. Its transpose rule then runs the body's JVP program backwards
 * ({@link SubPrograms#transpose}), which first re-evaluates the primal equations it needs from the
 * operands: the rematerialization. In forward mode alone (jvp, jacfwd) nothing is stored, so the body's
 * JVP runs inline.
 *
 * <p>Rules: JVP as above; transpose (for the linear equation) by the body's backward pass; vmap by a
 * checkpoint of the batched body. Under jit the equation never reaches the compiler as such: outside a
 * differentiation {@link #apply} inlines the body, and inside one the rules above leave only ordinary
 * equations (the recomputation included) in the traced program. The recomputation reads the operands
 * through an {@link OptimizationBarrier} (JAX's {@code prevent_cse=True}), so jit's common-subexpression
 * pass cannot merge it back into the forward pass, and the CPU backend releases each intermediate after
 * its last reader: the forward intermediates are gone before the backward pass recomputes them.
 */
public final class Checkpoint extends Primitive<Checkpoint.P> {
  /** {@code body}: a closed program of the operands. */
  public record P(Program body) implements Params {
    /**
     * Checks the parameters.
     * @throws IllegalArgumentException if the body has constants (it must be closed)
     */
    public P {
      if (!body.constVars().isEmpty()) throw new IllegalArgumentException("checkpoint: the body must be closed (constants passed as operands)");
    }
  }

  Checkpoint() {
    super("checkpoint", P.class);
  }

  /**
   * Applies {@code f} with rematerialization: traced to a closed program (captured values become
   * operands, so an outer grad sees them), bound as a checkpoint where a differentiation or vmap is
   * active on the operands, else run inline.
   */
  public static NDArray[] apply(String name, Function<NDArray[], NDArray[]> f, NDArray[] args) {
    if (TraceStack.innermost() == null && TraceStack.dynamic() == null) return f.apply(args); // nothing to differentiate
    SubPrograms.Closed c = SubPrograms.trace(name, SubPrograms.types(args), f);
    return bindOrInline(c.program(), SubPrograms.concat(c.consts(), args));
  }

  /** Binds a checkpoint where a differentiation or a vmap is the innermost trace of the operands; else runs the body inline. */
  private static NDArray[] bindOrInline(Program body, NDArray[] operands) {
    Trace top = null;
    for (NDArray a : operands) {
      if (a instanceof Tracer t && (top == null || t.trace().level() > top.level())) top = t.trace();
    }
    Trace dyn = TraceStack.dynamic();
    boolean transformed = top instanceof JvpTrace || top instanceof BatchTrace;
    if (!transformed || (dyn != null && dyn.level() > top.level())) return body.call(operands);
    return Primitives.CHECKPOINT.bind(new P(body), operands);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (!Arrays.equals(p.body().inTypes(), in)) {
      throw new ShapeException("checkpoint: the body takes " + Arrays.toString(p.body().inTypes()) + " but the operands are " + Arrays.toString(in));
    }
    return p.body().outTypes();
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    return SubPrograms.evaluate(p.body(), Arrays.copyOf(in, in.length, NDArray[].class));
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, P p) {
    Program body = p.body();
    if (!SubPrograms.linearizing(primals, tangents)) {
      SubPrograms.JvpOut r = SubPrograms.jvp(body, primals, tangents);
      return new JvpResult(r.primals(), r.tangents());
    }
    NDArray[] outP = body.call(primals); // the forward pass: its intermediates are not kept
    int n = primals.length;
    boolean[] nz = new boolean[n];
    for (int i = 0; i < n; i++) nz[i] = !SymbolicZero.is(tangents[i]) && primals[i].dtype().isFloating();
    boolean[] floatOut = new boolean[outP.length];
    for (int i = 0; i < outP.length; i++) floatOut[i] = outP[i].dtype().isFloating();
    NDArray[] outT = new NDArray[outP.length];
    for (int i = 0; i < outP.length; i++) outT[i] = new SymbolicZero(outP[i].type());
    if (SubPrograms.count(nz) == 0 || SubPrograms.count(floatOut) == 0) return new JvpResult(outP, outT);
    NDArray[] nzTans = SubPrograms.select(tangents, nz);
    ArrayType[] inTypes = SubPrograms.concat(SubPrograms.types(primals), SubPrograms.types(nzTans));
    SubPrograms.Closed jvpBody = SubPrograms.trace("checkpoint jvp", inTypes, in -> {
      NDArray[] t = new NDArray[n];
      for (int i = 0, j = n; i < n; i++) t[i] = nz[i] ? in[j++] : new SymbolicZero(primals[i].type());
      SubPrograms.JvpOut r = SubPrograms.jvp(body, Arrays.copyOfRange(in, 0, n), t);
      NDArray[] res = new NDArray[SubPrograms.count(floatOut)];
      for (int i = 0, j = 0; i < floatOut.length; i++) if (floatOut[i]) res[j++] = Ops.instantiate(r.tangents()[i]);
      return res;
    });
    NDArray[] t = bind(new P(jvpBody.program()), SubPrograms.concat(jvpBody.consts(), primals, nzTans));
    for (int i = 0, j = 0; i < outP.length; i++) if (floatOut[i]) outT[i] = t[j++];
    return new JvpResult(outP, outT);
  }

  @Override public NDArray[] transpose(NDArray[] cts, NDArray[] in, P p) {
    boolean[] linear = new boolean[in.length];
    for (int i = 0; i < in.length; i++) linear[i] = UndefinedPrimal.is(in[i]);
    // Recompute from values behind a barrier, so that jit's optimizer cannot merge the recomputation back
    // into the forward pass (which would keep every forward intermediate alive until the backward pass).
    NDArray[] known = OptimizationBarrier.apply(SubPrograms.select(in, not(linear)));
    NDArray[] r = SubPrograms.transpose(p.body(), linear, known, cts); // re-evaluates the primal equations first
    NDArray[] result = new NDArray[in.length];
    for (int i = 0, j = 0; i < in.length; i++) if (linear[i]) result[i] = r[j++];
    return result;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    Program body = p.body();
    SubPrograms.Closed batched = SubPrograms.trace("checkpoint vmap", SubPrograms.types(args), in -> SubPrograms.batchToFront(body, in, dims, size));
    NDArray[] out = bindOrInline(batched.program(), SubPrograms.concat(batched.consts(), args));
    return new Batched(out, new int[out.length]);
  }

  private static boolean[] not(boolean[] m) {
    boolean[] r = new boolean[m.length];
    for (int i = 0; i < m.length; i++) r[i] = !m[i];
    return r;
  }
}
