package dev.arrax.ir;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.primitives.Primitives;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the text written by {@link Program#toText()}. Errors name the line. */
final class ProgramParser {
  private ProgramParser() {}

  static Program parse(String text) {
    String[] lines = text.strip().split("\n");
    Map<String, Var> vars = new HashMap<>();
    List<Var> consts = new ArrayList<>(), ins = new ArrayList<>();
    String head = lines[0].strip();
    if (!head.startsWith("{ lambda ") || !head.endsWith(". let")) throw error(1, head, "expected '{ lambda consts ; inputs . let'");
    String decls = head.substring("{ lambda ".length(), head.length() - ". let".length());
    int semi = decls.indexOf(';');
    if (semi < 0) throw error(1, head, "missing ';' between constants and inputs");
    try {
      for (String d : tokens(decls.substring(0, semi))) consts.add(declare(d, vars, 1));
      for (String d : tokens(decls.substring(semi + 1))) ins.add(declare(d, vars, 1));
    } catch (IllegalArgumentException e) {
      throw e.getMessage() != null && e.getMessage().startsWith("Program.parse") ? e : error(1, head, e.getMessage());
    }
    List<Eqn> eqns = new ArrayList<>();
    int i = 1;
    for (; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("in (")) break;
      int first = i;
      // An equation with a nested program in its parameters spans lines until its brackets close.
      int depth = depth(line);
      StringBuilder eqn = new StringBuilder(line);
      while (depth > 0 && i + 1 < lines.length) {
        String next = lines[++i];
        eqn.append('\n').append(next);
        depth += depth(next);
      }
      if (depth != 0) throw error(first + 1, line, "unbalanced brackets");
      eqns.add(parseEqn(eqn.toString(), vars, first + 1));
    }
    if (i == lines.length) throw error(i, "", "missing 'in (...) }' line");
    String in = lines[i].strip();
    if (!in.endsWith(") }")) throw error(i + 1, in, "expected 'in (outputs) }'");
    List<Atom> outs = new ArrayList<>();
    try {
      for (String t : tokens(in.substring(4, in.length() - 3))) outs.add(atom(t, vars, i + 1));
    } catch (IllegalArgumentException e) {
      throw e.getMessage() != null && e.getMessage().startsWith("Program.parse") ? e : error(i + 1, in, e.getMessage());
    }
    List<NDArray> values = new ArrayList<>();
    Map<String, ConcreteArray> constValues = new HashMap<>();
    if (i + 1 < lines.length) {
      if (!lines[i + 1].strip().equals("consts")) throw error(i + 2, lines[i + 1], "expected 'consts'");
      for (int k = i + 2; k < lines.length && !lines[k].strip().equals("end"); k++) {
        String l = lines[k].strip();
        if (l.endsWith(" =")) l = l + " ";
        int eq = l.indexOf(" = ");
        if (eq < 0) throw error(k + 1, l, "expected 'name = v1,v2,...'");
        String name = l.substring(0, eq);
        Var v = vars.get(name);
        if (v == null) throw error(k + 1, l, "unknown constant '" + name + "'");
        String body = l.substring(eq + 3);
        String[] parts = body.isEmpty() ? new String[0] : body.split(",");
        // Checked before allocating: a short text must not be able to make the parser allocate a huge array.
        if (parts.length != v.type().size()) throw error(k + 1, name, "expected " + v.type().size() + " values for " + v.type() + ", got " + parts.length);
        ConcreteArray c = ConcreteArray.zeros(v.type());
        try {
          for (int e = 0; e < parts.length; e++) Literal.parseElement(c, e, parts[e]);
        } catch (IllegalArgumentException ex) {
          throw error(k + 1, name, "bad constant value: " + ex.getMessage());
        }
        constValues.put(name, c);
      }
    }
    for (Var c : consts) {
      String name = nameOf(c, vars);
      ConcreteArray v = constValues.get(name);
      if (v == null) throw error(1, head, "no value given for constant '" + name + "' (toString() omits values; use toText())");
      values.add(v);
    }
    Program program = new Program(ins, consts, values, eqns, outs);
    try {
      IrVerifier.verify(program);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("Program.parse: the program is not well typed: " + e.getMessage(), e);
    }
    return program;
  }

  private static String nameOf(Var v, Map<String, Var> vars) {
    for (Map.Entry<String, Var> e : vars.entrySet()) if (e.getValue() == v) return e.getKey();
    throw new IllegalStateException();
  }

  private static Eqn parseEqn(String line, Map<String, Var> vars, int lineNo) {
    int eq = line.indexOf(" = ");
    if (eq < 0) throw error(lineNo, line, "expected 'outputs = primitive[params] inputs'");
    List<String> outDecls = tokens(line.substring(0, eq));
    String rhs = line.substring(eq + 3);
    String primName, params = "";
    int sp = rhs.indexOf(' '), br = rhs.indexOf('[');
    String rest;
    if (br >= 0 && (sp < 0 || br < sp)) {
      int close = matchingBracket(rhs, br);
      if (close < 0) throw error(lineNo, line, "unclosed '[' in parameters");
      primName = rhs.substring(0, br);
      params = rhs.substring(br + 1, close);
      rest = rhs.substring(close + 1);
    } else {
      primName = sp < 0 ? rhs : rhs.substring(0, sp);
      rest = sp < 0 ? "" : rhs.substring(sp);
    }
    Primitive<?> prim;
    try {
      prim = Primitives.byName(primName);
    } catch (IllegalArgumentException e) {
      throw error(lineNo, line, e.getMessage());
    }
    Params p;
    try {
      p = ParamCodec.parse(prim.paramsType(), params);
    } catch (IllegalArgumentException e) {
      throw error(lineNo, line, e.getMessage());
    }
    List<Atom> inputs = new ArrayList<>();
    for (String t : tokens(rest)) inputs.add(atom(t, vars, lineNo));
    List<Var> outputs = new ArrayList<>();
    for (String d : outDecls) outputs.add(declare(d, vars, lineNo));
    return new Eqn(prim, p, inputs, outputs);
  }

  /** Opening minus closing brackets and braces on a line. */
  private static int depth(String line) {
    int d = 0;
    for (int k = 0; k < line.length(); k++) {
      char ch = line.charAt(k);
      if (ch == '[' || ch == '{') d++;
      else if (ch == ']' || ch == '}') d--;
    }
    return d;
  }

  /** The index of the ']' closing the '[' at {@code open} (nested brackets and braces skipped), or -1. */
  private static int matchingBracket(String s, int open) {
    int d = 0;
    for (int k = open; k < s.length(); k++) {
      char ch = s.charAt(k);
      if (ch == '[' || ch == '{') d++;
      else if (ch == ']' || ch == '}') d--;
      if (d == 0) return ch == ']' ? k : -1;
    }
    return -1;
  }

  private static Var declare(String decl, Map<String, Var> vars, int lineNo) {
    int colon = decl.indexOf(':');
    if (colon < 0) throw error(lineNo, decl, "expected name:type");
    String name = decl.substring(0, colon);
    if (vars.containsKey(name)) throw error(lineNo, decl, "variable '" + name + "' defined twice");
    Var v = new Var(ArrayType.parse(decl.substring(colon + 1)));
    vars.put(name, v);
    return v;
  }

  private static Atom atom(String tok, Map<String, Var> vars, int lineNo) {
    int colon = tok.indexOf(':');
    if (colon < 0) {
      Var v = vars.get(tok);
      if (v == null) throw error(lineNo, tok, "unknown variable '" + tok + "'");
      return v;
    }
    ArrayType t = ArrayType.parse(tok.substring(colon + 1));
    if (t.rank() != 0) throw error(lineNo, tok, "a literal is a scalar, got type " + t + " (arrays are constants, listed after 'consts')");
    ConcreteArray c = ConcreteArray.zeros(t);
    Literal.parseElement(c, 0, tok.substring(0, colon));
    return new Literal(c);
  }

  private static List<String> tokens(String s) {
    List<String> r = new ArrayList<>();
    for (String t : s.trim().split("\\s+")) if (!t.isEmpty()) r.add(t);
    return r;
  }

  private static IllegalArgumentException error(int line, String text, String msg) {
    return new IllegalArgumentException("Program.parse: line " + line + ": " + msg + ": '" + text + "'");
  }
}
