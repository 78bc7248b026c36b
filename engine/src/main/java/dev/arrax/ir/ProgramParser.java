package dev.arrax.ir;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.primitives.Primitives;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the text written by {@link Program#toText()}. Errors name the line. */
final class ProgramParser {
  private ProgramParser() {}

  static Program parse(String text) {
    try {
      Program program = parseUnverified(text);
      try {
        IrVerifier.verify(program);
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException("Program.parse: the program is not well typed: " + e.getMessage(), e);
      }
      return program;
    } catch (StackOverflowError e) {
      // reading, verifying and printing recurse once per nesting level; a thread with a small stack runs out first
      throw new IllegalArgumentException("Program.parse: line 1: the programs are nested too deeply for this thread's stack (limit "
          + MAX_NESTING + " levels; run with a larger -Xss): '" + text.substring(0, Math.min(60, text.length())) + "...'");
    }
  }

  /**
   * Reads a program without verifying it: nested programs (control-flow parameters) are read this way, since the
   * verifier of the enclosing program checks its sub-programs; verifying each level again made parsing quadratic in
   * the nesting depth.
   */
  static Program parseUnverified(String text) {
    Reader r = new Reader(text.strip());
    return r.program(true, 0);
  }

  /** Programs nested deeper than this are refused (the reader, the verifier and the printer recurse once per level). */
  static final int MAX_NESTING = 500;

  /**
   * A cursor over the whole text: each nested program is read in place (no copy of its text per level), so reading is
   * linear in the text's length; line numbers are counted only for an error message.
   */
  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) { this.s = s; }

    private int eol(int at) {
      int k = s.indexOf('\n', at);
      return k < 0 ? s.length() : k;
    }

    private int lineNo(int at) {
      int n = 1;
      for (int k = 0; k < at && k < s.length(); k++) if (s.charAt(k) == '\n') n++;
      return n;
    }

    private IllegalArgumentException err(int at, String text, String msg) { return error(lineNo(at), text, msg); }

    /** Reads a program starting at {@code pos} ('{'); a nested one ends after its closing '}', the top one at the text's end. */
    Program program(boolean top, int nesting) {
      int headStart = pos, headEnd = eol(pos);
      String head = s.substring(headStart, headEnd).strip();
      if (nesting > MAX_NESTING) throw err(headStart, head, "programs nested deeper than " + MAX_NESTING + " levels");
      if (!head.startsWith("{ lambda ") || !head.endsWith(". let")) throw err(headStart, head, "expected '{ lambda consts ; inputs . let'");
      String decls = head.substring("{ lambda ".length(), head.length() - ". let".length());
      int semi = decls.indexOf(';');
      if (semi < 0) throw err(headStart, head, "missing ';' between constants and inputs");
      Map<String, Var> vars = new HashMap<>();
      List<Var> consts = new ArrayList<>(), ins = new ArrayList<>();
      int headLine = -1;
      try {
        for (String d : tokens(decls.substring(0, semi))) consts.add(declare(d, vars, 0));
        for (String d : tokens(decls.substring(semi + 1))) ins.add(declare(d, vars, 0));
      } catch (RuntimeException e) {
        throw asParseError(withLine(e, headStart), lineNo(headStart), head);
      }
      pos = headEnd;
      List<Eqn> eqns = new ArrayList<>();
      List<Atom> outs = new ArrayList<>();
      while (true) {
        if (pos >= s.length()) throw err(s.length(), "", "missing 'in (...) }' line");
        pos++; // the newline
        int ls = pos, le = eol(pos);
        String line = s.substring(ls, le).strip();
        if (line.startsWith("in (")) {
          int open = s.indexOf("in (", ls) + 4;
          int close = top ? s.substring(ls, le).stripTrailing().endsWith(") }") ? s.lastIndexOf(") }", le) : -1 : s.indexOf(") }", open);
          if (close < 0 || close >= le || close < open) throw err(ls, line, "expected 'in (outputs) }'");
          try {
            for (String t : tokens(s.substring(open, close))) outs.add(atom(t, vars, 0));
          } catch (RuntimeException e) {
            throw asParseError(withLine(e, ls), lineNo(ls), line);
          }
          pos = close + 3;
          break;
        }
        try {
          eqns.add(equation(ls, le, line, vars, nesting));
        } catch (RuntimeException e) {
          throw asParseError(withLine(e, ls), lineNo(ls), line);
        }
      }
      List<NDArray> values = new ArrayList<>();
      if (!top) {
        if (!consts.isEmpty()) throw err(headStart, head, "a nested program has no constants (it reads only its inputs)");
        return new Program(ins, consts, values, eqns, outs);
      }
      Map<String, ConcreteArray> constValues = new HashMap<>();
      int tailStart = pos;
      String[] lines = s.substring(pos).split("\n");
      int firstLine = lineNo(tailStart);
      // lines[0] is the rest of the 'in' line (empty); then 'consts', one line per constant, 'end'
      if (lines.length > 1) {
        if (!lines[1].strip().equals("consts")) throw error(firstLine + 1, lines[1], "expected 'consts'");
        for (int k = 2; k < lines.length && !lines[k].strip().equals("end"); k++) {
          String l = lines[k].strip();
          if (l.endsWith(" =")) l = l + " ";
          int eq = l.indexOf(" = ");
          if (eq < 0) throw error(firstLine + k, l, "expected 'name = v1,v2,...'");
          String name = l.substring(0, eq);
          Var v = vars.get(name);
          if (v == null) throw error(firstLine + k, l, "unknown constant '" + name + "'");
          String body = l.substring(eq + 3);
          String[] parts = body.isEmpty() ? new String[0] : body.split(",");
          // Checked before allocating: a short text must not be able to make the parser allocate a huge array.
          if (parts.length != v.type().size()) throw error(firstLine + k, name, "expected " + v.type().size() + " values for " + v.type() + ", got " + parts.length);
          ConcreteArray c = ConcreteArray.zeros(v.type());
          try {
            for (int e = 0; e < parts.length; e++) Literal.parseElement(c, e, parts[e]);
          } catch (IllegalArgumentException ex) {
            throw error(firstLine + k, name, "bad constant value: " + ex.getMessage());
          }
          constValues.put(name, c);
        }
      }
      for (Var c : consts) {
        String name = nameOf(c, vars);
        ConcreteArray v = constValues.get(name);
        if (v == null) throw err(0, head, "no value given for constant '" + name + "' (toString() omits values; use toText())");
        values.add(v);
      }
      return new Program(ins, consts, values, eqns, outs);
    }

    /** A line-0 error from a helper, given the line where it happened. */
    private RuntimeException withLine(RuntimeException e, int at) {
      if (e.getClass() == IllegalArgumentException.class && e.getMessage() != null && e.getMessage().startsWith("Program.parse: line 0: ")) {
        IllegalArgumentException r = new IllegalArgumentException("Program.parse: line " + lineNo(at) + ": " + e.getMessage().substring("Program.parse: line 0: ".length()));
        r.initCause(e.getCause());
        return r;
      }
      return e;
    }

    /** {@code outputs = primitive[params] inputs} from line start {@code ls}; parameters may hold nested programs over several lines. */
    private Eqn equation(int ls, int le, String line, Map<String, Var> vars, int nesting) {
      int eq = s.indexOf(" = ", ls);
      if (eq < 0 || eq >= le) throw err(ls, line, "expected 'outputs = primitive[params] inputs'");
      List<String> outDecls = tokens(s.substring(ls, eq));
      int k = eq + 3;
      while (k < le && s.charAt(k) != '[' && s.charAt(k) != ' ') k++;
      String primName = s.substring(eq + 3, k).strip();
      Primitive<?> prim;
      try {
        prim = Primitives.byName(primName);
      } catch (IllegalArgumentException e) {
        throw err(ls, line, e.getMessage());
      }
      Map<String, Object> kv = new LinkedHashMap<>();
      String paramsText = "";
      pos = k;
      if (k < le && s.charAt(k) == '[') {
        pos = k + 1;
        params(kv, ls, line, nesting);
        paramsText = pos - 1 - (k + 1) <= 200 ? s.substring(k + 1, pos - 1) : s.substring(k + 1, k + 201) + "...";
      }
      Params p;
      try {
        p = ParamCodec.build(prim.paramsType(), kv, paramsText);
      } catch (IllegalArgumentException e) {
        throw err(ls, line, e.getMessage());
      }
      int end = eol(pos);
      String rest = s.substring(pos, end);
      pos = end;
      List<Atom> inputs = new ArrayList<>();
      for (String t : tokens(rest)) inputs.add(atom(t, vars, 0));
      List<Var> outputs = new ArrayList<>();
      for (String d : outDecls) outputs.add(declare(d, vars, 0));
      return new Eqn(prim, p, inputs, outputs);
    }

    private static boolean ws(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

    private void skipWs() {
      while (pos < s.length() && ws(s.charAt(pos))) pos++;
    }

    /** {@code key=value} pairs up to the closing ']' (consumed); a value is a token, a nested program or a list of them. */
    private void params(Map<String, Object> kv, int ls, String line, int nesting) {
      while (true) {
        skipWs();
        if (pos >= s.length()) throw err(ls, line, "unclosed '[' in parameters");
        if (s.charAt(pos) == ']') {
          pos++;
          return;
        }
        int keyStart = pos;
        while (pos < s.length() && s.charAt(pos) != '=' && s.charAt(pos) != ']' && !ws(s.charAt(pos))) pos++;
        String key = s.substring(keyStart, pos);
        if (pos >= s.length() || s.charAt(pos) != '=') throw err(ls, line, "bad parameter '" + key + "'");
        pos++;
        Object value;
        if (pos < s.length() && s.charAt(pos) == '{') {
          value = program(false, nesting + 1);
        } else if (pos < s.length() && s.charAt(pos) == '(' && nextNonWs(pos + 1) == '{') {
          pos++;
          List<Program> progs = new ArrayList<>();
          while (true) {
            skipWs();
            if (pos >= s.length()) throw err(ls, line, "unclosed '(' in the nested programs of '" + key + "'");
            char c = s.charAt(pos);
            if (c == ')') {
              pos++;
              break;
            }
            if (c != '{') throw err(pos, line, "unexpected '" + c + "' between nested programs of '" + key + "'");
            progs.add(program(false, nesting + 1));
          }
          value = progs.toArray(new Program[0]);
        } else {
          int vs = pos, d = 0;
          while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '(' || c == '[' || c == '{') d++;
            else if (c == ')' || c == '}') d--;
            else if (c == ']') {
              if (d <= 0) break;
              d--;
            } else if (d <= 0 && ws(c)) break;
            pos++;
          }
          value = s.substring(vs, pos);
        }
        if (kv.put(key, value) != null) throw err(ls, line, "parameter '" + key + "' given twice");
      }
    }

    private char nextNonWs(int at) {
      while (at < s.length() && ws(s.charAt(at))) at++;
      return at < s.length() ? s.charAt(at) : 0;
    }
  }

  private static String nameOf(Var v, Map<String, Var> vars) {
    for (Map.Entry<String, Var> e : vars.entrySet()) if (e.getValue() == v) return e.getKey();
    throw new IllegalStateException();
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
    try {
      Literal.parseElement(c, 0, tok.substring(0, colon));
    } catch (IllegalArgumentException e) {
      throw error(lineNo, tok, "bad literal value '" + tok.substring(0, colon) + "' for type " + t + " (" + e.getMessage() + ")");
    }
    return new Literal(c);
  }

  private static List<String> tokens(String s) {
    List<String> r = new ArrayList<>();
    for (String t : s.trim().split("\\s+")) if (!t.isEmpty()) r.add(t);
    return r;
  }

  /**
   * Any failure while reading one line (a number that does not parse, a bad type, a nested program's own error) as
   * the documented parse error naming the line; a parse error already naming its line passes unchanged.
   */
  private static IllegalArgumentException asParseError(RuntimeException e, int line, String text) {
    if (e.getClass() == IllegalArgumentException.class && e.getMessage() != null && e.getMessage().startsWith("Program.parse: line ")) {
      return (IllegalArgumentException) e;
    }
    String why = e instanceof NumberFormatException ? "bad number (" + e.getMessage() + ")"
        : e.getClass() == IllegalArgumentException.class || e instanceof dev.arrax.ArraxException ? String.valueOf(e.getMessage())
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    IllegalArgumentException r = error(line, text, why);
    r.initCause(e);
    return r;
  }

  private static IllegalArgumentException error(int line, String text, String msg) {
    return new IllegalArgumentException("Program.parse: line " + line + ": " + msg + ": '" + text + "'");
  }
}
