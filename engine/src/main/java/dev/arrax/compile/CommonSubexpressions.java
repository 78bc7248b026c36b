package dev.arrax.compile;

import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges equations that compute the same thing: the same primitive, equal params and the same input
 * atoms. The later equation's outputs then read as the earlier one's.
 *
 * <p>Sound because primitives are pure and deterministic. Differentiation produces such repeats
 * routinely: the JVP of {@code sin b} computes {@code cos b}, and the JVP of that computes it again;
 * vmap of a gradient broadcasts the same seed {@code 1.0} twice.
 *
 * <p>Equality is by content, never by printed text: params records are compared component by
 * component with arrays by content and doubles by bits ({@link dev.arrax.ir.ParamCodec#equal} compares
 * printed text, in which two different host-side objects, such as two custom rules' closures, both print
 * as {@code <CustomFunction>}; here those compare with their own {@code equals}, i.e. identity).
 * Variables are compared by identity, literals by dtype and bits (so {@code 0.0} and {@code -0.0} differ).
 */
final class CommonSubexpressions {
  private CommonSubexpressions() {}

  /** {@code p} with repeated equations merged, or {@code p} itself when there are none. */
  static Program run(Program p) {
    Passes.Rewriter rw = new Passes.Rewriter(p);
    Map<Key, Eqn> seen = new HashMap<>();
    for (Eqn original : p.eqns()) {
      Eqn e = rw.withResolvedInputs(original);
      Key k = Key.of(e);
      Eqn prev = seen.get(k);
      if (prev == null) {
        seen.put(k, e);
        rw.emit(e, e != original);
      } else {
        for (int i = 0; i < e.outputs().size(); i++) rw.replace(e.outputs().get(i), prev.outputs().get(i));
      }
    }
    return rw.build();
  }

  /** What makes two equations compute the same values. */
  record Key(Primitive<?> primitive, List<Object> params, List<Object> inputs) {
    static Key of(Eqn e) {
      List<Object> in = new ArrayList<>(e.inputs().size());
      for (Atom a : e.inputs()) in.add(a instanceof Literal l ? literalKey(l) : new Identity(a));
      return new Key(e.primitive(), paramsKey(e.params()), in);
    }

    @Override public boolean equals(Object o) {
      return o instanceof Key k && k.primitive == primitive && k.params.equals(params) && k.inputs.equals(inputs);
    }

    @Override public int hashCode() {
      return (System.identityHashCode(primitive) * 31 + params.hashCode()) * 31 + inputs.hashCode();
    }
  }

  /** A variable, compared by identity. */
  private record Identity(Object ref) {
    @Override public boolean equals(Object o) { return o instanceof Identity i && i.ref == ref; }

    @Override public int hashCode() { return System.identityHashCode(ref); }
  }

  private static List<Object> literalKey(Literal l) {
    return List.of(l.type().dtype(), Passes.rawBits(l.value().buffer(), 0));
  }

  /** The record's class and its components, arrays turned into lists so that equals compares content. */
  static List<Object> paramsKey(Params p) {
    List<Object> k = new ArrayList<>();
    k.add(p.getClass());
    for (var c : p.getClass().getRecordComponents()) k.add(contentKey(Passes.component(p, c.getName())));
    return k;
  }

  private static Object contentKey(Object v) {
    if (v == null) return List.of();
    if (v instanceof int[] xs) return List.of("int[]", Arrays.stream(xs).boxed().toList());
    if (v instanceof long[] xs) return List.of("long[]", Arrays.stream(xs).boxed().toList());
    if (v instanceof double[] xs) return List.of("double[]", Arrays.stream(xs).boxed().toList());
    if (v instanceof boolean[] xs) {
      List<Boolean> b = new ArrayList<>();
      for (boolean x : xs) b.add(x);
      return List.of("boolean[]", b);
    }
    if (v instanceof Object[] xs) {
      List<Object> r = new ArrayList<>();
      for (Object x : xs) r.add(x instanceof Var || x instanceof dev.arrax.NDArray ? new Identity(x) : contentKey(x));
      return List.of("Object[]", r);
    }
    // Double.equals compares bits: NaN equals NaN, 0.0 differs from -0.0, which is what merging needs.
    return v;
  }
}
