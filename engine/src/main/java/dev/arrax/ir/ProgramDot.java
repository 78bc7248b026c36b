package dev.arrax.ir;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes a {@link Program} as a Graphviz {@code digraph}: one box per equation (its primitive, params and
 * output types), an ellipse per input and constant, edges along the values, literals written into the
 * edge label, and the outputs in a final node. Render with {@code dot -Tsvg program.dot -o program.svg}.
 * Nested programs (control-flow bodies) are summarized in their equation's params, not expanded.
 */
final class ProgramDot {
  private ProgramDot() {}

  static String write(Program p) {
    StringBuilder sb = new StringBuilder("digraph program {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
    Map<Var, String> node = new IdentityHashMap<>();
    for (int i = 0; i < p.inVars().size(); i++) {
      Var v = p.inVars().get(i);
      node.put(v, "in" + i);
      sb.append("  in").append(i).append(" [shape=ellipse, label=\"arg ").append(i).append("\\n").append(v.type()).append("\"];\n");
    }
    for (int i = 0; i < p.constVars().size(); i++) {
      Var v = p.constVars().get(i);
      node.put(v, "const" + i);
      sb.append("  const").append(i).append(" [shape=ellipse, style=dashed, label=\"const ").append(i).append("\\n").append(v.type()).append("\"];\n");
    }
    int k = 0;
    for (Eqn e : p.eqns()) {
      String id = "eq" + k++;
      StringBuilder label = new StringBuilder(e.primitive().name());
      String params = ParamCodec.format(e.params());
      if (!params.isEmpty()) label.append("\\n").append(shorten(params));
      for (Var o : e.outputs()) label.append("\\n").append(o.type());
      sb.append("  ").append(id).append(" [shape=box, label=\"").append(escape(label.toString())).append("\"];\n");
      for (int i = 0; i < e.inputs().size(); i++) {
        Atom a = e.inputs().get(i);
        if (a instanceof Var v) {
          sb.append("  ").append(node.get(v)).append(" -> ").append(id).append(";\n");
        } else {
          String lit = "lit" + k + "_" + i;
          sb.append("  ").append(lit).append(" [shape=plaintext, label=\"").append(escape(a.toString())).append("\"];\n");
          sb.append("  ").append(lit).append(" -> ").append(id).append(" [style=dotted];\n");
        }
      }
      for (Var o : e.outputs()) node.put(o, id);
    }
    sb.append("  out [shape=doubleoctagon, label=\"outputs\"];\n");
    for (int i = 0; i < p.outs().size(); i++) {
      Atom a = p.outs().get(i);
      String from = a instanceof Var v ? node.get(v) : null;
      if (from == null) {
        from = "outlit" + i;
        sb.append("  ").append(from).append(" [shape=plaintext, label=\"").append(escape(a.toString())).append("\"];\n");
      }
      sb.append("  ").append(from).append(" -> out [label=\"").append(i).append("\"];\n");
    }
    return sb.append("}\n").toString();
  }

  private static String shorten(String params) {
    return params.length() <= 60 ? params : params.substring(0, 57) + "...";
  }

  /** Quotes and backslashes escaped for a Graphviz string; the label's own line breaks ({@code \n}) kept. */
  private static String escape(String s) {
    return s.replace("\\n", "\u0000").replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "\\n");
  }
}
