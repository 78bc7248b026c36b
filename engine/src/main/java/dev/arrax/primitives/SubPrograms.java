package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ad.JvpTrace;
import dev.arrax.ad.Transposer;
import dev.arrax.batching.BatchTrace;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Primitive.Batched;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.Trace;
import dev.arrax.core.TraceStack;
import dev.arrax.core.Tracer;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.staging.Staging;
import dev.arrax.staging.StagingTrace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * What the control-flow primitives ({@link Cond}, {@link WhileLoop}, {@link Scan}) share: tracing a
 * function to a closed sub-program, and running a sub-program under a fresh JVP or batching trace so a
 * rule can build the sub-program of the transformed primitive (JAX's {@code jvp_jaxpr},
 * {@code batch_jaxpr} and {@code transpose_jaxpr}).
 *
 * <p>Sub-programs are closed: whatever the traced function reads from outside (an enclosing
 * transformation's tracer, a captured array) is hoisted to a leading input of the sub-program and
 * passed as an operand of the primitive (JAX's closure conversion). That way the enclosing
 * transformations see those values as operands: a captured value's tangent or batch axis is not lost,
 * and printed sub-programs have no constants.
 */
public final class SubPrograms {
  private SubPrograms() {}

  /** A closed sub-program: its first {@code consts.length} inputs receive {@code consts}. */
  record Closed(Program program, NDArray[] consts) {}

  /** Traces {@code f} at {@code inTypes} and hoists the values it closes over to leading inputs. */
  static Closed trace(String name, ArrayType[] inTypes, Function<NDArray[], NDArray[]> f) {
    Program p = Staging.trace(name, inTypes, f);
    List<Var> ins = new ArrayList<>(p.constVars());
    ins.addAll(p.inVars());
    Program closed = new Program(ins, List.of(), List.of(), liveEqns(p), p.outs());
    return new Closed(closed, p.constValues().toArray(new NDArray[0]));
  }

  /**
   * The equations some output depends on. A sub-program runs once per step or branch taken, and the
   * rules above trace more than they use (a JVP body recomputes primal values its tangents may not
   * need), while the optimizer of jit does not look inside sub-programs. Primitives are pure, so
   * dropping an unused equation changes nothing.
   */
  private static List<dev.arrax.ir.Eqn> liveEqns(Program p) {
    java.util.Set<Var> live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (dev.arrax.ir.Atom a : p.outs()) if (a instanceof Var v) live.add(v);
    List<dev.arrax.ir.Eqn> eqns = p.eqns();
    boolean[] keep = new boolean[eqns.size()];
    for (int k = eqns.size() - 1; k >= 0; k--) {
      dev.arrax.ir.Eqn e = eqns.get(k);
      for (Var o : e.outputs()) keep[k] |= live.contains(o);
      if (keep[k]) for (dev.arrax.ir.Atom a : e.inputs()) if (a instanceof Var v) live.add(v);
    }
    List<dev.arrax.ir.Eqn> r = new ArrayList<>();
    for (int k = 0; k < keep.length; k++) if (keep[k]) r.add(eqns.get(k));
    return r;
  }

  /** {@code p} with unused inputs of the given types inserted before input {@code at}. */
  static Program insertInputs(Program p, int at, ArrayType[] types) {
    if (types.length == 0) return p;
    List<Var> ins = new ArrayList<>(p.inVars().subList(0, at));
    for (ArrayType t : types) ins.add(new Var(t));
    ins.addAll(p.inVars().subList(at, p.inVars().size()));
    return new Program(ins, p.constVars(), p.constValues(), p.eqns(), p.outs());
  }

  /**
   * Several closed programs taking one common list of leading constants (each value once, compared by
   * identity): program k reads its own constants from their positions and ignores the others.
   */
  static Closed[] joinConsts(Closed[] cs) {
    List<NDArray> all = new ArrayList<>();
    for (Closed c : cs) {
      for (NDArray v : c.consts()) if (indexOf(all, v) < 0) all.add(v);
    }
    NDArray[] joined = all.toArray(new NDArray[0]);
    Closed[] r = new Closed[cs.length];
    for (int k = 0; k < cs.length; k++) {
      Program p = cs[k].program();
      int own = cs[k].consts().length;
      Var[] lead = new Var[joined.length];
      for (int j = 0; j < own; j++) lead[indexOf(all, cs[k].consts()[j])] = p.inVars().get(j);
      for (int j = 0; j < lead.length; j++) if (lead[j] == null) lead[j] = new Var(joined[j].type());
      List<Var> ins = new ArrayList<>(Arrays.asList(lead));
      ins.addAll(p.inVars().subList(own, p.inVars().size()));
      r[k] = new Closed(new Program(ins, List.of(), List.of(), p.eqns(), p.outs()), joined);
    }
    return r;
  }

  private static int indexOf(List<NDArray> xs, NDArray x) {
    for (int i = 0; i < xs.size(); i++) if (xs.get(i) == x) return i;
    return -1;
  }

  /** Runs {@code p} on concrete arguments as plain evaluation, even when a staging trace is active (jit compiling, constant folding). */
  static NDArray[] evaluate(Program p, NDArray[] args) {
    Trace prev = TraceStack.setDynamic(null);
    try {
      return p.call(args);
    } finally {
      TraceStack.setDynamic(prev);
    }
  }

  /** Primal outputs and their tangents ({@link SymbolicZero} where none). */
  record JvpOut(NDArray[] primals, NDArray[] tangents) {}

  /** Runs {@code p} under a fresh forward-mode trace; {@code tangents[i]} may be a {@link SymbolicZero}. */
  static JvpOut jvp(Program p, NDArray[] primals, NDArray[] tangents) {
    JvpTrace jt = TraceStack.push(l -> new JvpTrace(l, "jvp of a sub-program"));
    try {
      NDArray[] in = new NDArray[primals.length];
      for (int i = 0; i < in.length; i++) {
        NDArray t = primals[i].dtype().isFloating() ? tangents[i] : new SymbolicZero(primals[i].type());
        in[i] = jt.wrap(primals[i], t);
      }
      NDArray[] outs = p.call(in);
      NDArray[] ps = new NDArray[outs.length], ts = new NDArray[outs.length];
      for (int i = 0; i < outs.length; i++) {
        if (outs[i] instanceof JvpTrace.JvpTracer t && t.trace() == jt) {
          ps[i] = t.primal();
          ts[i] = t.tangent();
        } else {
          ps[i] = outs[i];
          ts[i] = new SymbolicZero(outs[i].type());
        }
      }
      return new JvpOut(ps, ts);
    } finally {
      TraceStack.pop(jt);
    }
  }

  /** Runs {@code p} under a fresh batching trace of {@code size}; {@code dims[i]} may be NOT_MAPPED. */
  static Batched batch(Program p, NDArray[] vals, int[] dims, int size) {
    BatchTrace bt = TraceStack.push(l -> new BatchTrace(l, size));
    try {
      NDArray[] in = new NDArray[vals.length];
      for (int i = 0; i < in.length; i++) in[i] = dims[i] == Batched.NOT_MAPPED ? vals[i] : bt.wrap(vals[i], dims[i]);
      NDArray[] outs = p.call(in);
      NDArray[] vs = new NDArray[outs.length];
      int[] ds = new int[outs.length];
      for (int i = 0; i < outs.length; i++) {
        if (outs[i] instanceof BatchTrace.BatchTracer t && t.trace() == bt) {
          vs[i] = t.value();
          ds[i] = t.dim();
        } else {
          vs[i] = outs[i];
          ds[i] = Batched.NOT_MAPPED;
        }
      }
      return new Batched(vs, ds);
    } finally {
      TraceStack.pop(bt);
    }
  }

  /** Which outputs of {@code p} are batched (their axis) when its inputs have {@code types} batched at {@code dims}; traces and discards. */
  static int[] batchedOutputs(Program p, ArrayType[] types, int[] dims, int size) {
    int[][] out = new int[1][];
    Staging.trace("batching analysis", types, in -> {
      Batched b = batch(p, in, dims, size);
      out[0] = b.dims();
      return b.outs();
    });
    return out[0];
  }

  /**
   * The batched carries of a loop: a carry is batched when its initial value is, or when the body
   * makes it so from batched constants or other batched carries (a fixed point, as in JAX's loop
   * batching rules). {@code bodyIn} gives the body's input types from the carries' types.
   */
  static boolean[] batchedCarries(Program body, NDArray[] init, int[] initDims, int size,
      Function<ArrayType[], ArrayType[]> bodyIn, Function<boolean[], int[]> bodyDims) {
    boolean[] cb = new boolean[init.length];
    for (int i = 0; i < cb.length; i++) cb[i] = initDims[i] != Batched.NOT_MAPPED;
    while (true) {
      int[] od = batchedOutputs(body, bodyIn.apply(carryTypes(init, initDims, cb, size)), bodyDims.apply(cb), size);
      boolean changed = false;
      for (int i = 0; i < cb.length; i++) {
        if (od[i] != Batched.NOT_MAPPED && !cb[i]) cb[i] = changed = true;
      }
      if (!changed) return cb;
    }
  }

  /** The types of {@link #carries}. */
  static ArrayType[] carryTypes(NDArray[] init, int[] initDims, boolean[] batched, int size) {
    ArrayType[] r = new ArrayType[init.length];
    for (int i = 0; i < r.length; i++) {
      ArrayType t = init[i].type();
      if (!batched[i]) r[i] = t;
      else if (initDims[i] == Batched.NOT_MAPPED) r[i] = t.withShape(dev.arrax.core.Shapes.insert(t.shape(), 0, size));
      else r[i] = t.withShape(dev.arrax.core.Shapes.insert(dev.arrax.core.Shapes.remove(t.shape(), initDims[i]), 0, size));
    }
    return r;
  }

  /** The carries with the batched ones' axis at the front (broadcast where {@code batched} but not yet mapped). */
  static NDArray[] carries(NDArray[] init, int[] initDims, boolean[] batched, int size) {
    NDArray[] r = new NDArray[init.length];
    for (int i = 0; i < r.length; i++) r[i] = batched[i] ? Batching.moveToFront(init[i], initDims[i], size) : init[i];
    return r;
  }

  /** 0 where batched, NOT_MAPPED elsewhere. */
  static int[] frontDims(boolean[] batched) {
    int[] d = new int[batched.length];
    for (int i = 0; i < d.length; i++) d[i] = batched[i] ? 0 : Batched.NOT_MAPPED;
    return d;
  }

  /** {@link #batch} with every output's batch axis moved (or broadcast) to the front. */
  static NDArray[] batchToFront(Program p, NDArray[] vals, int[] dims, int size) {
    Batched b = batch(p, vals, dims, size);
    NDArray[] r = new NDArray[b.outs().length];
    for (int i = 0; i < r.length; i++) r[i] = Batching.moveToFront(b.outs()[i], b.dims()[i], size);
    return r;
  }

  /**
   * The backward pass of {@code p} seen as linear in the inputs at {@code linear}, the other inputs
   * taking the values {@code known} (in input order): one cotangent per linear input, zeros
   * materialized. {@code cts[i]} may be a {@link SymbolicZero}.
   */
  static NDArray[] transpose(Program p, boolean[] linear, NDArray[] known, NDArray[] cts) {
    List<Var> lin = new ArrayList<>(), consts = new ArrayList<>();
    for (int i = 0; i < linear.length; i++) (linear[i] ? lin : consts).add(p.inVars().get(i));
    Program linearProgram = new Program(lin, consts, Arrays.asList(known), p.eqns(), p.outs());
    NDArray[] r = Transposer.backward(linearProgram, cts);
    for (int i = 0; i < r.length; i++) r[i] = Ops.instantiate(r[i]);
    return r;
  }

  static ArrayType[] types(NDArray[] xs) {
    ArrayType[] t = new ArrayType[xs.length];
    for (int i = 0; i < xs.length; i++) t[i] = xs[i].type();
    return t;
  }

  static ArrayType[] types(List<? extends NDArray> xs) {
    return types(xs.toArray(new NDArray[0]));
  }

  @SafeVarargs
  static <T> T[] concat(T[] first, T[]... rest) {
    int n = first.length;
    for (T[] r : rest) n += r.length;
    T[] out = Arrays.copyOf(first, n);
    int at = first.length;
    for (T[] r : rest) {
      System.arraycopy(r, 0, out, at, r.length);
      at += r.length;
    }
    return out;
  }

  static <T> T[] slice(T[] xs, int from, int to) {
    return Arrays.copyOfRange(xs, from, to);
  }

  /** Elements at the positions where {@code mask} is true. */
  static NDArray[] select(NDArray[] xs, boolean[] mask) {
    List<NDArray> r = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) if (mask[i]) r.add(xs[i]);
    return r.toArray(new NDArray[0]);
  }

  static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) if (b) n++;
    return n;
  }

  /**
   * True when the tangents are being staged into a linear program for reverse mode (linearize): they
   * are tracers of a staging trace that is not the dynamic one (jit and makeJaxpr stage dynamically)
   * and that sits above every primal. Forward mode alone never produces such tangents.
   */
  static boolean linearizing(NDArray[] primals, NDArray[] tangents) {
    int primalLevel = 0;
    for (NDArray p : primals) if (p instanceof Tracer t) primalLevel = Math.max(primalLevel, t.trace().level());
    Trace dyn = TraceStack.dynamic();
    for (NDArray t : tangents) {
      if (t instanceof Tracer tr && tr.trace() instanceof StagingTrace st && st != dyn && st.level() > primalLevel) return true;
    }
    return false;
  }

  /** Element {@code i} of a concrete array along axis 0. */
  static ConcreteArray indexAxis0(ConcreteArray x, int i) {
    int[] s = x.shape();
    ArrayType t = new ArrayType(x.dtype(), Arrays.copyOfRange(s, 1, s.length));
    ConcreteArray r = ConcreteArray.zeros(t);
    int n = t.size();
    r.buffer().copyRange(0, x.buffer(), i * n, n);
    return r;
  }
}
