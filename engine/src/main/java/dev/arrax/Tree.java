package dev.arrax;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Parameter trees (JAX pytrees): nested {@code Map<String, ?>}, {@code List<?>} and Java records whose
 * leaves are {@link NDArray}s; {@code null} is an empty subtree. Maps are traversed in sorted key order
 * (as JAX sorts dict keys), lists and records in order, so a tree and its gradient flatten alike.
 *
 * <pre>{@code
 * Map<String, NDArray> params = Map.of("W1", w1, "b1", b1);
 * Tree.Flat flat = Tree.flatten(params);           // leaves [b1, W1] and the structure
 * Object doubled = Tree.map(x -> x.mul(2.0), params);
 * }</pre>
 */
public final class Tree {
  private Tree() {}

  /** The structure of a tree without its leaves; rebuilds a tree from new leaves. */
  public static final class Def {
    private final Function<List<NDArray>, Object> build;
    private final int leafCount;
    private final String description;

    private Def(Function<List<NDArray>, Object> build, int leafCount, String description) {
      this.build = build;
      this.leafCount = leafCount;
      this.description = description;
    }

    /** The number of leaves a tree of this structure has; {@link Tree#unflatten} needs exactly that many. */
    public int leafCount() { return leafCount; }

    @Override public String toString() { return description; }
  }

  /** Leaves in traversal order and the structure. */
  public record Flat(List<NDArray> leaves, Def def) {}

  /**
   * Splits a tree into its leaves, in traversal order (map keys sorted, lists and record components in
   * order), and its structure ({@code jax.tree_util.tree_flatten}).
   * {@code Tree.flatten(Map.of("w", w, "b", b))} has leaves {@code [b, w]}.
   * @throws ArraxException for a map key that is not a string or a node that is not a tree
   */
  public static Flat flatten(Object tree) {
    List<NDArray> leaves = new ArrayList<>();
    Def def = flattenInto(tree, leaves, "tree");
    return new Flat(Collections.unmodifiableList(leaves), def);
  }

  /** Rebuilds a tree of {@code def}'s structure from leaves in traversal order. */
  public static Object unflatten(Def def, List<NDArray> leaves) {
    if (leaves.size() != def.leafCount) {
      throw new ArraxException("Tree.unflatten: the structure " + def + " has " + def.leafCount + " leaves, got " + leaves.size());
    }
    return def.build.apply(leaves);
  }

  /** Applies {@code f} to every leaf, keeping the structure. */
  @SuppressWarnings("unchecked")
  public static <T> T map(Function<NDArray, NDArray> f, T tree) {
    Flat flat = flatten(tree);
    List<NDArray> out = new ArrayList<>(flat.leaves().size());
    for (NDArray x : flat.leaves()) out.add(f.apply(x));
    return (T) unflatten(flat.def(), out);
  }

  private static Def flattenInto(Object node, List<NDArray> leaves, String path) {
    if (node == null) return new Def(ls -> null, 0, "None");
    if (node instanceof NDArray a) {
      leaves.add(a);
      return new Def(ls -> ls.get(0), 1, "*");
    }
    if (node instanceof Map<?, ?> m) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new ArraxException("Tree: map keys must be strings, got " + e.getKey() + " at " + path);
        }
        sorted.put(k, e.getValue());
      }
      List<String> keys = new ArrayList<>(sorted.keySet());
      List<Def> children = new ArrayList<>();
      for (String k : keys) children.add(flattenInto(sorted.get(k), leaves, path + "." + k));
      int[] counts = children.stream().mapToInt(Def::leafCount).toArray();
      return new Def(ls -> {
        Map<String, Object> out = new LinkedHashMap<>();
        int off = 0;
        for (int i = 0; i < keys.size(); i++) {
          out.put(keys.get(i), children.get(i).build.apply(ls.subList(off, off + counts[i])));
          off += counts[i];
        }
        return Collections.unmodifiableMap(out);
      }, sum(counts), describe("{", keys, children, "}"));
    }
    if (node instanceof List<?> list) {
      List<Def> children = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) children.add(flattenInto(list.get(i), leaves, path + "[" + i + "]"));
      int[] counts = children.stream().mapToInt(Def::leafCount).toArray();
      return new Def(ls -> {
        List<Object> out = new ArrayList<>();
        int off = 0;
        for (int i = 0; i < children.size(); i++) {
          out.add(children.get(i).build.apply(ls.subList(off, off + counts[i])));
          off += counts[i];
        }
        return Collections.unmodifiableList(out);
      }, sum(counts), describe("[", null, children, "]"));
    }
    if (node instanceof Record r) {
      RecordComponent[] comps = r.getClass().getRecordComponents();
      List<Def> children = new ArrayList<>();
      List<String> names = new ArrayList<>();
      Class<?>[] types = new Class<?>[comps.length];
      for (int i = 0; i < comps.length; i++) {
        names.add(comps[i].getName());
        types[i] = comps[i].getType();
        children.add(flattenInto(read(comps[i], r), leaves, path + "." + comps[i].getName()));
      }
      int[] counts = children.stream().mapToInt(Def::leafCount).toArray();
      Class<?> cls = r.getClass();
      return new Def(ls -> {
        Object[] args = new Object[comps.length];
        int off = 0;
        for (int i = 0; i < comps.length; i++) {
          args[i] = children.get(i).build.apply(ls.subList(off, off + counts[i]));
          off += counts[i];
        }
        try {
          Constructor<?> c = cls.getDeclaredConstructor(types);
          c.setAccessible(true);
          return c.newInstance(args);
        } catch (ReflectiveOperationException e) {
          throw new ArraxException("Tree: cannot rebuild record " + cls.getName() + ": " + e, e);
        }
      }, sum(counts), describe(cls.getSimpleName() + "(", names, children, ")"));
    }
    throw new ArraxException("Tree: unsupported node of type " + node.getClass().getName() + " at " + path
        + "; trees are built from NDArray leaves, Map<String, ?>, List<?>, records and null");
  }

  private static Object read(RecordComponent c, Record r) {
    try {
      var m = c.getAccessor();
      m.setAccessible(true);
      return m.invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new ArraxException("Tree: cannot read record component " + c.getName() + ": " + e, e);
    }
  }

  private static int sum(int[] xs) {
    int s = 0;
    for (int x : xs) s += x;
    return s;
  }

  private static String describe(String open, List<String> keys, List<Def> children, String close) {
    StringBuilder sb = new StringBuilder(open);
    for (int i = 0; i < children.size(); i++) {
      if (i > 0) sb.append(", ");
      if (keys != null) sb.append(keys.get(i)).append(": ");
      sb.append(children.get(i));
    }
    return sb.append(close).toString();
  }
}
