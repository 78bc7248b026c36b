package dev.arrax.ir;

import dev.arrax.core.ConcreteArray;
import java.util.IdentityHashMap;
import java.util.Map;

/** Prints programs in the jaxpr-like form shared by {@code toString} and {@code toText}. */
final class ProgramPrinter {
  private ProgramPrinter() {}

  static String print(Program p, boolean withConstValues) {
    Map<Var, String> names = new IdentityHashMap<>();
    StringBuilder sb = new StringBuilder("{ lambda ");
    for (Var v : p.constVars()) sb.append(decl(v, names)).append(' ');
    sb.append("; ");
    for (Var v : p.inVars()) sb.append(decl(v, names)).append(' ');
    sb.append(". let\n");
    for (Eqn e : p.eqns()) {
      sb.append("    ");
      for (Var v : e.outputs()) sb.append(decl(v, names)).append(' ');
      sb.append("= ").append(e.primitive().name());
      String params = ParamCodec.format(e.params());
      if (!params.isEmpty()) sb.append('[').append(params).append(']');
      for (Atom a : e.inputs()) sb.append(' ').append(use(a, names));
      sb.append('\n');
    }
    sb.append("  in (");
    for (int i = 0; i < p.outs().size(); i++) sb.append(i > 0 ? " " : "").append(use(p.outs().get(i), names));
    sb.append(") }");
    if (withConstValues && !p.constVars().isEmpty()) {
      sb.append("\nconsts\n");
      for (int i = 0; i < p.constVars().size(); i++) {
        ConcreteArray c = Program.concreteConst(p.constValues().get(i), i);
        sb.append("  ").append(names.get(p.constVars().get(i))).append(" = ");
        for (int k = 0; k < c.size(); k++) sb.append(k > 0 ? "," : "").append(Literal.formatElement(c, k));
        sb.append('\n');
      }
      sb.append("end");
    }
    return sb.toString();
  }

  private static String decl(Var v, Map<Var, String> names) {
    String n = name(names.size());
    names.put(v, n);
    return n + ":" + v.type();
  }

  private static String use(Atom a, Map<Var, String> names) {
    if (a instanceof Literal l) return l.toString();
    String n = names.get((Var) a);
    if (n == null) throw new IllegalStateException("internal: variable used before definition while printing");
    return n;
  }

  /** a, b, ..., z, ba, bb, ... as JAX names jaxpr variables. */
  static String name(int i) {
    StringBuilder sb = new StringBuilder();
    do {
      sb.append((char) ('a' + i % 26));
      i /= 26;
    } while (i > 0);
    return sb.reverse().toString();
  }
}
