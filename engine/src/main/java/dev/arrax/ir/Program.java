package dev.arrax.ir;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A traced function in the typed IR (JAX's closed jaxpr): input variables, constant variables with
 * their values, equations in order, and output atoms.
 *
 * <p>{@link #toString()} prints a jaxpr-like listing; {@link #toText()} adds the constants' values and
 * round-trips exactly through {@link #parse(String)}. Java serialization goes through the text form,
 * so programs (not lambdas) can be shipped to Spark executors.
 */
public final class Program implements Serializable {
  private static final long serialVersionUID = 1L;

  private final transient List<Var> inVars;
  private final transient List<Var> constVars;
  private final transient List<NDArray> constValues;
  private final transient List<Eqn> eqns;
  private final transient List<Atom> outs;

  /**
   * A program from its parts (the tracer and the parser build them): inputs, constants with one value each,
   * equations in order (each defining its outputs before any later use), outputs.
   */
  public Program(List<Var> inVars, List<Var> constVars, List<NDArray> constValues, List<Eqn> eqns, List<Atom> outs) {
    if (constVars.size() != constValues.size()) throw new IllegalArgumentException("one value per constant variable");
    this.inVars = List.copyOf(inVars);
    this.constVars = List.copyOf(constVars);
    this.constValues = List.copyOf(constValues);
    this.eqns = List.copyOf(eqns);
    this.outs = List.copyOf(outs);
  }

  /** The input variables, in argument order. */
  public List<Var> inVars() { return inVars; }

  /** The constant variables (arrays the function closed over), in the order of {@link #constValues()}. */
  public List<Var> constVars() { return constVars; }

  /** The constants' values, one per {@link #constVars()} entry. */
  public List<NDArray> constValues() { return constValues; }

  /** The equations, in evaluation order. */
  public List<Eqn> eqns() { return eqns; }

  /** The outputs: variables defined by the program or literals. */
  public List<Atom> outs() { return outs; }

  /** The input types, in argument order: what {@link #call} checks. */
  public ArrayType[] inTypes() { return inVars.stream().map(Var::type).toArray(ArrayType[]::new); }

  /** The output types, in order. */
  public ArrayType[] outTypes() { return outs.stream().map(Atom::type).toArray(ArrayType[]::new); }

  /**
   * Runs the program by binding each equation, so it evaluates on concrete arrays and is traced
   * again (differentiated, batched, staged) when called with tracers.
   */
  public NDArray[] call(NDArray... args) {
    if (args.length != inVars.size()) {
      throw new ArraxException("program takes " + inVars.size() + " arguments " + java.util.Arrays.toString(inTypes()) + ", got " + args.length);
    }
    Map<Var, NDArray> env = new IdentityHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].type().equals(inVars.get(i).type())) {
        throw new dev.arrax.ShapeException("program argument " + i + " must be " + inVars.get(i).type() + ", got " + args[i].type());
      }
      env.put(inVars.get(i), args[i]);
    }
    for (int i = 0; i < constVars.size(); i++) env.put(constVars.get(i), constValues.get(i));
    for (Eqn e : eqns) {
      NDArray[] in = new NDArray[e.inputs().size()];
      for (int i = 0; i < in.length; i++) in[i] = read(env, e.inputs().get(i));
      NDArray[] out = bindUnchecked(e, in);
      for (int i = 0; i < out.length; i++) env.put(e.outputs().get(i), out[i]);
    }
    NDArray[] res = new NDArray[outs.size()];
    for (int i = 0; i < res.length; i++) res[i] = read(env, outs.get(i));
    return res;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static NDArray[] bindUnchecked(Eqn e, NDArray[] in) {
    return ((dev.arrax.core.Primitive) e.primitive()).bind(e.params(), in);
  }

  static NDArray read(Map<Var, NDArray> env, Atom a) {
    if (a instanceof Literal l) return l.value();
    NDArray v = env.get((Var) a);
    if (v == null) throw new IllegalStateException("internal: variable " + a + " read before it is defined");
    return v;
  }

  /** The jaxpr-like listing (constant values are not printed). */
  @Override public String toString() { return ProgramPrinter.print(this, false); }

  /** The exact text form, constant values included; {@link #parse} reads it back. */
  public String toText() { return ProgramPrinter.print(this, true); }

  /**
   * Reads the exact text form of {@link #toText()} back: {@code Program.parse(p.toText()).toText()} equals
   * {@code p.toText()}. Malformed or ill-typed text fails with an {@link IllegalArgumentException} naming the line.
   */
  public static Program parse(String text) { return ProgramParser.parse(text); }

  /**
   * The program as a Graphviz {@code digraph} (equations as boxes, values as edges), for seeing a traced
   * or optimized program: {@code Files.writeString(Path.of("f.dot"), Arrax.makeJaxpr(f, x).toDot())}, then
   * {@code dot -Tsvg f.dot -o f.svg}.
   */
  public String toDot() { return ProgramDot.write(this); }

  /** Number of equations per primitive name, for tests and diagnostics. */
  public Map<String, Integer> primitiveCounts() {
    Map<String, Integer> m = new java.util.TreeMap<>();
    for (Eqn e : eqns) m.merge(e.primitive().name(), 1, Integer::sum);
    return m;
  }

  /** Serialization writes the program's text ({@link SerialForm}), never its fields. */
  private Object writeReplace() throws ObjectStreamException {
    return new SerialForm(toText());
  }

  /**
   * A stream that holds a raw {@code Program} (not its text form) was not written by this class: refused,
   * so deserialization can never produce a program with null fields that skipped the parser's checks.
   */
  private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
    throw new java.io.InvalidObjectException("a Program is serialized as its text (Program.toText) and read back through Program.parse");
  }

  /** What Java serialization writes: the program text. */
  private record SerialForm(String text) implements Serializable {
    private Object readResolve() throws ObjectStreamException {
      return Program.parse(text);
    }
  }

  /** Concrete constants only; a program closed over a traced value cannot be shipped. */
  static ConcreteArray concreteConst(NDArray v, int index) {
    if (v instanceof ConcreteArray c) return c;
    throw new ArraxException("program constant " + index + " is a traced value " + v.type()
        + " (the function closed over an array from an enclosing transformation); it cannot be written as text. "
        + "Pass it as an argument instead.");
  }

  static List<Var> vars(List<? extends Atom> atoms) {
    List<Var> r = new ArrayList<>();
    for (Atom a : atoms) if (a instanceof Var v) r.add(v);
    return r;
  }
}
