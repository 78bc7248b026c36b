package dev.arrax.compile;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.EngineLog;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.Primitives;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optimizes a {@link Program} before it is lowered: the passes below run in turn until none of them
 * changes anything (a fixed point), because each one exposes work for the others. A gradient program
 * such as that of {@code sum(tanh(x) * 2)} multiplies by a broadcast {@code 1.0} seed
 * ({@link AlgebraicSimplifier} drops it), which leaves a broadcast unused ({@link DeadCodeElimination}),
 * and JVP rules recompute {@code cos b} twice ({@link CommonSubexpressions}).
 *
 * <ol>
 *   <li>{@link DeadCodeElimination}: equations and constants nothing reads;</li>
 *   <li>{@link AlgebraicSimplifier}: exact identities such as {@code x*1 -> x}, {@code neg(neg x) -> x};</li>
 *   <li>{@link SoftmaxRewrite}: {@code exp(log_softmax(x))} as {@code softmax(x)}, a division by the sum the
 *       program already has instead of a second exponential;</li>
 *   <li>{@link ConstantFolding}: equations on constants evaluated once;</li>
 *   <li>{@link CommonSubexpressions}: equal equations merged.</li>
 * </ol>
 *
 * Every rewrite but one is exact: the optimized program returns the same bits as the original on every
 * input (no {@code x*0 -> 0}, no {@code x-x -> 0}, no reassociation). The exception,
 * {@link SoftmaxRewrite}, computes softmax as {@code jax.nn.softmax} does, at least as accurately as the
 * program's own form (its class comment has the bound). Only that rewrite adds an equation (a broadcast
 * of the sum) where it removes an exponential; the others never do. The result may have new constants
 * (folded values of at most 16 elements, or of the size of a constant already there). Programs are
 * immutable, so the input is never changed.
 */
public final class Passes {

  /** Rounds before giving up on a fixed point; every rewrite removes or simplifies an equation, so this is only a guard. */
  static final int MAX_ROUNDS = 100;

  private Passes() {}

  /** A new program computing the same function as {@code p} with the passes run to a fixed point. */
  public static Program optimize(Program p) {
    Program cur = p;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Program next = DeadCodeElimination.run(cur);
      next = AlgebraicSimplifier.run(next);
      next = SoftmaxRewrite.run(next);
      next = ConstantFolding.run(next);
      next = CommonSubexpressions.run(next);
      next = DeadCodeElimination.run(next);
      if (next == cur) return copy(cur);
      cur = next;
    }
    EngineLog.of(Passes.class).warn("optimize: no fixed point after {} rounds ({} equations); returning the last (correct) program", MAX_ROUNDS, cur.eqns().size());
    return copy(cur);
  }

  private static Program copy(Program p) {
    return new Program(p.inVars(), p.constVars(), p.constValues(), p.eqns(), p.outs());
  }

  // ---------------------------------------------------------------------------------------------
  // Shared machinery of the passes.

  /**
   * Rebuilds a program equation by equation. A pass {@link #replace replaces} an output variable by
   * another atom of the same type (later reads, program outputs included, then see that atom), or
   * {@link #emit emits} an equation, possibly a rewritten one. {@link #build} returns the source program
   * itself when nothing changed, which is how {@link #optimize} detects its fixed point.
   */
  static final class Rewriter {
    final Program source;
    private final Map<Var, Atom> subst = new IdentityHashMap<>();
    private final Map<Var, Eqn> definition = new IdentityHashMap<>();
    private final Map<Var, NDArray> constValue = new IdentityHashMap<>();
    private final Map<Var, Object> splatCache = new IdentityHashMap<>();
    private final List<Var> constVars;
    private final List<NDArray> constValues;
    private final List<Eqn> eqns = new ArrayList<>();
    private boolean changed;

    Rewriter(Program source) {
      this.source = source;
      this.constVars = new ArrayList<>(source.constVars());
      this.constValues = new ArrayList<>(source.constValues());
      for (int i = 0; i < constVars.size(); i++) constValue.put(constVars.get(i), constValues.get(i));
    }

    /** The atom now standing for {@code a}. */
    Atom resolve(Atom a) {
      if (a instanceof Var v) {
        Atom r = subst.get(v);
        if (r != null) return r;
      }
      return a;
    }

    /** {@code e} reading the current atoms for its inputs (the same instance when none was replaced). */
    Eqn withResolvedInputs(Eqn e) {
      List<Atom> in = new ArrayList<>(e.inputs().size());
      boolean any = false;
      for (Atom a : e.inputs()) {
        Atom r = resolve(a);
        any |= r != a;
        in.add(r);
      }
      return any ? new Eqn(e.primitive(), e.params(), in, e.outputs()) : e;
    }

    /** From now on {@code out} reads as {@code by}; the equation defining {@code out} must not be emitted. */
    void replace(Var out, Atom by) {
      Atom target = resolve(by);
      if (!out.type().equals(target.type())) {
        throw new IllegalStateException("internal: optimization replaced a " + out.type() + " by a " + target.type());
      }
      subst.put(out, target);
      changed = true;
    }

    /** Appends an equation; {@code rewritten} says whether it differs from the source program's. */
    void emit(Eqn e, boolean rewritten) {
      eqns.add(e);
      for (Var v : e.outputs()) definition.put(v, e);
      changed |= rewritten;
    }

    /** Records that an equation of the source program was dropped. */
    void drop() {
      changed = true;
    }

    /** The emitted equation defining {@code a}, or null for inputs, constants and literals. */
    Eqn definitionOf(Atom a) {
      return a instanceof Var v ? definition.get(v) : null;
    }

    /** A new constant variable holding {@code value}. */
    Var addConstant(ConcreteArray value) {
      Var v = new Var(value.type());
      constVars.add(v);
      constValues.add(value);
      constValue.put(v, value);
      changed = true;
      return v;
    }

    /** The concrete value of a literal or a constant variable; null for anything else (including traced constants). */
    ConcreteArray constantValue(Atom a) {
      if (a instanceof Literal l) return l.value();
      return constValue.get((Var) a) instanceof ConcreteArray c ? c : null;
    }

    /**
     * The single value every element of {@code a} has, as a 0-d array, when that is known before run
     * time: a literal, a constant whose elements all have the same bits, or a {@code broadcast_in_dim}
     * of such an atom (how {@code Np.ones}, weak-typed Java doubles and gradient seeds appear in
     * programs). Null when unknown or when {@code a} has no elements.
     */
    ConcreteArray splat(Atom a) {
      if (a instanceof Literal l) return l.value();
      Var v = (Var) a;
      Object cached = splatCache.get(v);
      if (cached != null) return cached instanceof ConcreteArray c ? c : null;
      ConcreteArray r = null;
      ConcreteArray c = constantValue(v);
      Eqn def = definition.get(v);
      if (c != null) {
        r = uniformValue(c);
      } else if (def != null && def.primitive() == AlgebraicSimplifier.BROADCAST_IN_DIM && v.type().size() > 0) {
        r = splat(def.inputs().get(0));
      }
      splatCache.put(v, r == null ? Boolean.FALSE : r);
      return r;
    }

    Program build() {
      if (!changed) return source;
      List<Atom> outs = new ArrayList<>();
      for (Atom a : source.outs()) outs.add(resolve(a));
      return new Program(source.inVars(), constVars, constValues, eqns, outs);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Values.

  /** The raw bits of element {@code i}: IEEE bits for floats (so -0.0 differs from 0.0), the value otherwise. */
  static long rawBits(Buffer b, int i) {
    return switch (b.dtype()) {
      case FLOAT32 -> Float.floatToRawIntBits(((float[]) b.array())[i]);
      case FLOAT64 -> Double.doubleToRawLongBits(((double[]) b.array())[i]);
      default -> b.getLong(i);
    };
  }

  /** Element 0 as a 0-d array when all elements have the same bits; null if they differ or there are none. */
  static ConcreteArray uniformValue(ConcreteArray c) {
    Buffer b = c.buffer();
    if (b.size() == 0) return null;
    long first = rawBits(b, 0);
    for (int i = 1; i < b.size(); i++) if (rawBits(b, i) != first) return null;
    if (c.ndim() == 0) return c;
    Buffer s = Buffer.allocate(c.dtype(), 1);
    s.copyElement(0, b, 0);
    return new ConcreteArray(ArrayType.of(c.dtype()), s);
  }

  /** Whether a scalar is exactly one (1.0 for floats). */
  static boolean isOne(ConcreteArray s) {
    if (s == null) return false;
    DType d = s.dtype();
    if (d.isFloating()) return s.buffer().getDouble(0) == 1.0;
    return s.buffer().getLong(0) == 1L;
  }

  // ---------------------------------------------------------------------------------------------
  /**
   * The value of the record component {@code name} of {@code p}: for structural comparisons over every
   * component of any params record (common subexpressions), as {@link dev.arrax.ir.ParamCodec} prints them.
   * Rewrites read and build params through their typed records instead.
   */
  static Object component(Params p, String name) {
    for (RecordComponent c : p.getClass().getRecordComponents()) {
      if (c.getName().equals(name)) {
        try {
          Method m = c.getAccessor();
          m.setAccessible(true);
          return m.invoke(p);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read parameter '" + name + "' of " + p.getClass().getName(), e);
        }
      }
    }
    throw new IllegalStateException("params " + p.getClass().getName() + " have no component '" + name + "'; components: "
        + Arrays.toString(p.getClass().getRecordComponents()));
  }

  /** Checks that a rewritten equation still has the outputs' types, by the primitive's own shape rule. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Eqn checked(Eqn e) {
    ArrayType[] in = e.inputs().stream().map(Atom::type).toArray(ArrayType[]::new);
    ArrayType[] out = ((Primitive) e.primitive()).outTypes(in, e.params());
    for (int i = 0; i < out.length; i++) {
      if (!out[i].equals(e.outputs().get(i).type())) {
        throw new IllegalStateException("internal: rewritten " + e.primitive().name() + " gives " + out[i] + " for an output of type " + e.outputs().get(i).type());
      }
    }
    return e;
  }
}
