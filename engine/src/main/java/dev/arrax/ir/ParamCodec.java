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
 * types: int, long, double, boolean, int[], DType, String (without spaces or brackets).
 */
public final class ParamCodec {
  private ParamCodec() {}

  /** {@code axes=(0,1) keepdims=false}, or "" for a record without components. */
  public static String format(Params p) {
    RecordComponent[] comps = p.getClass().getRecordComponents();
    StringBuilder sb = new StringBuilder();
    for (RecordComponent c : comps) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(snake(c.getName())).append('=').append(formatValue(read(c, p)));
    }
    return sb.toString();
  }

  /** True when two params records are equal, comparing int[] components by content. */
  public static boolean equal(Params a, Params b) {
    return a.getClass() == b.getClass() && format(a).equals(format(b));
  }

  public static <P extends Params> P parse(Class<P> type, String text) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("bad parameter '" + part + "' in [" + text + "]");
      kv.put(part.substring(0, eq), part.substring(eq + 1));
    }
    RecordComponent[] comps = type.getRecordComponents();
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) {
      String key = snake(comps[i].getName());
      String v = kv.remove(key);
      if (v == null) throw new IllegalArgumentException("missing parameter '" + key + "' for " + type.getSimpleName() + " in [" + text + "]");
      types[i] = comps[i].getType();
      try {
        args[i] = parseValue(types[i], v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("parameter '" + key + "' has a bad value '" + v + "' (expected " + types[i].getSimpleName() + "): " + e.getMessage());
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

  private static Object parseValue(Class<?> t, String v) {
    if (t == int.class) return Integer.parseInt(v);
    if (t == long.class) return Long.parseLong(v);
    if (t == double.class) return Double.parseDouble(v);
    if (t == boolean.class) return Boolean.parseBoolean(v);
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
