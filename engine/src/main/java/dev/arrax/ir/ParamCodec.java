package dev.arrax.ir;

import dev.arrax.DType;
import dev.arrax.core.Params;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints and parses a primitive's params record as {@code name=value} pairs, by reflection over the
 * record's components, so a new primitive's params need no serialization code. Supported component
 * types: int, long, double, boolean, int[], DType, String (without spaces or brackets), and
 * sub-programs ({@link Program} or {@code Program[]}, for control flow), printed as nested programs
 * ({@code branches=( { lambda ... } { lambda ... } )}) that may span several lines.
 */
public final class ParamCodec {
  private ParamCodec() {}

  /** {@code axes=(0,1) keepdims=false}, or "" for a record without components. */
  public static String format(Params p) {
    return format(p, new ProgramPrinter.Printer(), "");
  }

  /** As {@link #format(Params)}, printing sub-programs with {@code printer}'s names, nested under an equation at {@code eqnIndent}. */
  static String format(Params p, ProgramPrinter.Printer printer, String eqnIndent) {
    StringBuilder sb = new StringBuilder();
    formatInto(sb, p, printer, eqnIndent);
    return sb.toString();
  }

  /**
   * As {@link #format(Params, ProgramPrinter.Printer, String)}, appending to {@code sb}: sub-programs are printed in
   * place, so printing a deeply nested program is linear in its text (a string per level was quadratic).
   */
  static void formatInto(StringBuilder sb, Params p, ProgramPrinter.Printer printer, String eqnIndent) {
    RecordComponent[] comps = p.getClass().getRecordComponents();
    for (int i = 0; i < comps.length; i++) {
      RecordComponent c = comps[i];
      if (i > 0) sb.append(' ');
      Object v = read(c, p);
      sb.append(snake(c.getName())).append('=');
      if (v instanceof Program prog) printer.nestedInto(sb, prog, eqnIndent);
      else if (v instanceof Program[] progs) printer.nestedListInto(sb, progs, eqnIndent);
      else sb.append(formatValue(v));
    }
  }

  /** True when two params records are equal, comparing int[] components by content. */
  public static boolean equal(Params a, Params b) {
    return a.getClass() == b.getClass() && format(a).equals(format(b));
  }

  /**
   * Parses {@link #format}'s text ({@code axes=(0,1) keepdims=false}) into a {@code type} record, matching
   * keys to its components in snake case.
   * @throws IllegalArgumentException for a malformed, missing, unknown or ill-typed parameter
   */
  public static <P extends Params> P parse(Class<P> type, String text) {
    Map<String, Object> kv = new LinkedHashMap<>();
    for (String part : splitTopLevel(text)) {
      int eq = part.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("bad parameter '" + part + "' in [" + text + "]");
      kv.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return build(type, kv, text);
  }

  /**
   * A {@code type} record from parameter values by snake-case key: each a {@link #format}ted string, or a
   * {@link Program} / {@code Program[]} the caller already read (the program parser reads nested programs in place).
   * {@code text} is only quoted in error messages.
   */
  static <P extends Params> P build(Class<P> type, Map<String, Object> given, String text) {
    Map<String, Object> kv = new LinkedHashMap<>(given);
    RecordComponent[] comps = type.getRecordComponents();
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) {
      String key = snake(comps[i].getName());
      Object v = kv.remove(key);
      if (v == null) throw new IllegalArgumentException("missing parameter '" + key + "' for " + type.getSimpleName() + " in [" + text + "]");
      types[i] = comps[i].getType();
      try {
        args[i] = parseValue(types[i], v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("parameter '" + key + "' has a bad value '" + (v instanceof String ? v : "<nested program>") + "' (expected " + types[i].getSimpleName() + "): " + e.getMessage());
      }
    }
    if (!kv.isEmpty()) throw new IllegalArgumentException("unknown parameters " + kv.keySet() + " for " + type.getSimpleName());
    try {
      Constructor<P> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  /** The sub-programs held by a params record, by component name ({@code branches[1]} for an array element). */
  static Map<String, Program> subPrograms(Params p) {
    Map<String, Program> r = new LinkedHashMap<>();
    for (RecordComponent c : p.getClass().getRecordComponents()) {
      Object v = read(c, p);
      if (v instanceof Program prog) r.put(snake(c.getName()), prog);
      if (v instanceof Program[] progs) {
        for (int i = 0; i < progs.length; i++) r.put(snake(c.getName()) + "[" + i + "]", progs[i]);
      }
    }
    return r;
  }

  private static Object read(RecordComponent c, Params p) {
    try {
      var m = c.getAccessor();
      m.setAccessible(true);
      return m.invoke(p);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String formatValue(Object v) {
    if (v instanceof int[] xs) {
      StringBuilder sb = new StringBuilder("(");
      for (int i = 0; i < xs.length; i++) sb.append(xs[i]).append(xs.length == 1 || i < xs.length - 1 ? "," : "");
      return sb.append(')').toString();
    }
    if (v instanceof DType d) return d.shortName();
    if (v instanceof Number || v instanceof Boolean) return String.valueOf(v);
    if (v instanceof String s) {
      if (s.isEmpty() || s.matches(".*[\\s\\[\\]=].*")) throw new IllegalArgumentException("string parameter '" + s + "' cannot be printed");
      return s;
    }
    // Host-side values (e.g. a custom rule's closure) exist only inside one process and cannot be parsed back.
    return "<" + (v == null ? "null" : v.getClass().getSimpleName()) + ">";
  }

  /**
   * The whitespace-separated {@code name=value} parts of a parameter list; whitespace inside
   * brackets, parentheses or braces (a nested program) does not separate.
   */
  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '(' || ch == '[' || ch == '{') depth++;
      else if (ch == ')' || ch == ']' || ch == '}') depth--;
      if (depth == 0 && Character.isWhitespace(ch)) {
        if (cur.length() > 0) parts.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (depth != 0) throw new IllegalArgumentException("unbalanced brackets in parameters [" + text + "]");
    if (cur.length() > 0) parts.add(cur.toString());
    return parts;
  }

  /** The nested programs of a parenthesized list of programs, split at top-level braces. */
  private static Program[] parsePrograms(String v) {
    String s = v.strip();
    if (!s.startsWith("(") || !s.endsWith(")")) throw new IllegalArgumentException("expected ( { lambda ... } ... ) but got '" + v + "'");
    List<Program> r = new ArrayList<>();
    int depth = 0, start = -1;
    for (int i = 1; i < s.length() - 1; i++) {
      char ch = s.charAt(i);
      if (ch == '{') {
        if (depth == 0) start = i;
        depth++;
      } else if (ch == '}') {
        depth--;
        if (depth == 0) r.add(ProgramParser.parseUnverified(s.substring(start, i + 1)));
        if (depth < 0) throw new IllegalArgumentException("unbalanced braces in '" + v + "'");
      } else if (depth == 0 && !Character.isWhitespace(ch)) {
        throw new IllegalArgumentException("unexpected '" + ch + "' between nested programs in '" + v + "'");
      }
    }
    if (depth != 0) throw new IllegalArgumentException("unbalanced braces in '" + v + "'");
    return r.toArray(new Program[0]);
  }

  private static Object parseValue(Class<?> t, Object given) {
    if (given instanceof Program || given instanceof Program[]) {
      if (t.isInstance(given)) return given;
      throw new IllegalArgumentException("a nested program where " + t.getSimpleName() + " is expected");
    }
    String v = (String) given;
    if (t == Program.class) return ProgramParser.parseUnverified(v);
    if (t == Program[].class) return parsePrograms(v);
    if (t == int.class) return Integer.parseInt(v);
    if (t == long.class) return Long.parseLong(v);
    if (t == double.class) return Double.parseDouble(v);
    if (t == boolean.class) {
      if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException("expected true or false");
      return Boolean.parseBoolean(v);
    }
    if (t == DType.class) return DType.fromShortName(v);
    if (t == String.class) return v;
    if (t == int[].class) {
      if (!v.startsWith("(") || !v.endsWith(")")) throw new IllegalArgumentException("expected (a,b,...) but got '" + v + "'");
      List<Integer> xs = new ArrayList<>();
      for (String s : v.substring(1, v.length() - 1).split(",")) if (!s.isBlank()) xs.add(Integer.parseInt(s.trim()));
      return xs.stream().mapToInt(Integer::intValue).toArray();
    }
    throw new IllegalArgumentException("unsupported parameter type " + t);
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
