package dev.arrax.staging;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Trace;
import dev.arrax.core.Tracer;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records operations as equations instead of computing them (JAX's DynamicJaxprTrace). Concrete
 * scalars become literals; other values from outside (concrete arrays, tracers of enclosing
 * transformations) become constant variables of the program.
 */
public final class StagingTrace extends Trace {
  private final String name;
  private final List<Var> inVars = new ArrayList<>();
  private final List<Eqn> eqns = new ArrayList<>();
  private final Map<NDArray, Var> constVarOf = new IdentityHashMap<>();
  private final List<Var> constVars = new ArrayList<>();
  private final List<NDArray> constValues = new ArrayList<>();

  /** A staging trace at stack {@code level} building a program called {@code name}. */
  public StagingTrace(int level, String name) {
    super(level);
    this.name = name;
  }

  @Override public String transformationName() { return name; }

  /** A new program input of the given type. */
  public Tracer newInput(ArrayType type) {
    Var v = new Var(type);
    inVars.add(v);
    return new StagingTracer(this, v);
  }

  @Override public Tracer lift(NDArray value) {
    if (value instanceof ConcreteArray c && c.ndim() == 0) return new StagingTracer(this, new Literal(c));
    Var v = constVarOf.computeIfAbsent(value, k -> {
      Var nv = new Var(k.type());
      constVars.add(nv);
      constValues.add(k);
      return nv;
    });
    return new StagingTracer(this, v);
  }

  @Override public <P extends Params> NDArray[] process(Primitive<P> prim, NDArray[] args, P params) {
    List<Atom> in = new ArrayList<>(args.length);
    ArrayType[] types = new ArrayType[args.length];
    for (int i = 0; i < args.length; i++) {
      in.add(((StagingTracer) args[i]).atom());
      types[i] = args[i].type();
    }
    ArrayType[] outTypes = prim.outTypes(types, params);
    List<Var> outs = new ArrayList<>(outTypes.length);
    NDArray[] res = new NDArray[outTypes.length];
    for (int i = 0; i < outTypes.length; i++) {
      Var v = new Var(outTypes[i]);
      outs.add(v);
      res[i] = new StagingTracer(this, v);
    }
    eqns.add(new Eqn(prim, params, in, outs));
    return res;
  }

  /** The program from the inputs created so far to these outputs. */
  public Program build(NDArray[] outs) {
    List<Atom> outAtoms = new ArrayList<>();
    for (NDArray o : outs) {
      StagingTracer t = o instanceof StagingTracer s && s.trace() == this ? s : (StagingTracer) lift(o);
      outAtoms.add(t.atom());
    }
    return new Program(inVars, constVars, constValues, eqns, outAtoms);
  }

  /** The atom standing for a value of this trace. */
  static final class StagingTracer extends Tracer {
    private final StagingTrace trace;
    private final Atom atom;

    StagingTracer(StagingTrace trace, Atom atom) {
      super(atom.type());
      this.trace = trace;
      this.atom = atom;
    }

    @Override public Trace trace() { return trace; }

    Atom atom() { return atom; }
  }

  @Override public String toString() { return name + " " + Arrays.toString(inVars.toArray()); }
}
