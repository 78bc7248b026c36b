package dev.arrax.ir;

import dev.arrax.core.ConcreteArray;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Prints programs in the jaxpr-like form shared by {@code toString} and {@code toText}.
 *
 * <p>A parameter holding a sub-program (the branches of {@code cond}, the body of {@code scan}) is
 * printed as a nested program, indented under its equation, as JAX prints nested jaxprs:
 * <pre>
 * { lambda ; a:bool[] b:f32[] . let
 *     c:f32[] = cond[branches=(
 *       { lambda ; d:f32[] . let
 *           e:f32[] = cos d
 *         in (e) }
 *       { lambda ; f:f32[] . let
 *           g:f32[] = sin f
 *         in (g) }
 *     )] a b
 *   in (c) }
 * </pre>
 * Variable names are unique across the whole listing; each nested program is closed (it reads only
 * its own inputs), so {@link ProgramParser} reads it with its own scope.
 */
final class ProgramPrinter {
  private ProgramPrinter() {}

  static String print(Program p, boolean withConstValues) {
    StringBuilder sb = new StringBuilder();
    new Printer().program(sb, p, "", withConstValues);
    return sb.toString();
  }

  /** A nested program printed with names of its own, as {@link ParamCodec#format(dev.arrax.core.Params)} shows it. */
  static String nested(Program p, String eqnIndent) {
    return new Printer().nested(p, eqnIndent);
  }

  /** The name counter shared by a program and the programs nested in its parameters. */
  static final class Printer {
    private int next;

    /**
     * Appends {@code p}: the header without leading indent (the caller places it), equations at
     * {@code indent + 4} spaces and the {@code in} line at {@code indent + 2}.
     */
    void program(StringBuilder sb, Program p, String indent, boolean withConstValues) {
      Map<Var, String> names = new IdentityHashMap<>();
      sb.append("{ lambda ");
      for (Var v : p.constVars()) sb.append(decl(v, names)).append(' ');
      sb.append("; ");
      for (Var v : p.inVars()) sb.append(decl(v, names)).append(' ');
      sb.append(". let\n");
      String eqnIndent = indent + "    ";
      for (Eqn e : p.eqns()) {
        sb.append(eqnIndent);
        for (Var v : e.outputs()) sb.append(decl(v, names)).append(' ');
        sb.append("= ").append(e.primitive().name());
        int mark = sb.length();
        sb.append('[');
        ParamCodec.formatInto(sb, e.params(), this, eqnIndent);
        if (sb.length() == mark + 1) sb.setLength(mark);
        else sb.append(']');
        for (Atom a : e.inputs()) sb.append(' ').append(use(a, names));
        sb.append('\n');
      }
      sb.append(indent).append("  in (");
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
    }

    /** A sub-program parameter of an equation printed at {@code eqnIndent}: it continues the equation's line. */
    String nested(Program p, String eqnIndent) {
      StringBuilder sb = new StringBuilder();
      nestedInto(sb, p, eqnIndent);
      return sb.toString();
    }

    void nestedInto(StringBuilder sb, Program p, String eqnIndent) {
      program(sb, p, eqnIndent + "  ", false);
    }

    /** Several sub-programs: one per line inside parentheses. */
    void nestedListInto(StringBuilder sb, Program[] ps, String eqnIndent) {
      sb.append('(');
      for (Program p : ps) {
        sb.append('\n').append(eqnIndent).append("  ");
        program(sb, p, eqnIndent + "  ", false);
      }
      sb.append('\n').append(eqnIndent).append(')');
    }

    private String decl(Var v, Map<Var, String> names) {
      String n = name(next++);
      names.put(v, n);
      return n + ":" + v.type();
    }
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
