package dev.arrax;

import dev.arrax.core.CallSite;
import dev.arrax.primitives.Ops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Np#einsum}: parses the subscripts, takes diagonals of repeated labels, broadcasts the
 * {@code ...} axes, sums out labels as soon as nothing later needs them, and contracts the operands
 * left to right in pairs with dot_general (a label shared with a later operand or the output is a
 * batch axis, one needed by nothing later is contracted). Every step is a primitive, so derivatives,
 * vmap and jit follow.
 */
final class Einsum {
  private Einsum() {}

  /** An operand with one label per axis. */
  private record Term(NDArray x, List<Character> labels) {}

  /** Labels standing for the axes under "...", counted from the right: never letters a user can write. */
  private static char ellipsisLabel(int fromRight) {
    return (char) ('\uE000' + fromRight);
  }

  static NDArray apply(String subscripts, NDArray[] operands) {
    if (subscripts == null) throw new ArraxException("einsum: subscripts are null" + CallSite.describe());
    if (operands == null || operands.length == 0) throw new ArraxException("einsum: needs at least one operand" + CallSite.describe());
    Np.nonNull("einsum", operands);
    String s = subscripts.replace(" ", "");
    boolean explicit = s.contains("->");
    String lhs = explicit ? s.substring(0, s.indexOf("->")) : s;
    String rhs = explicit ? s.substring(s.indexOf("->") + 2) : null;
    String[] specs = lhs.split(",", -1);
    if (specs.length != operands.length) {
      throw new ShapeException("einsum: '" + subscripts + "' names " + specs.length + " operands but " + operands.length + " were given" + CallSite.describe());
    }
    DType d = operands[0].dtype();
    for (NDArray x : operands) d = DType.promote(d, x.dtype());

    List<Term> terms = new ArrayList<>();
    int maxEllipsis = 0;
    Map<Character, Integer> count = new LinkedHashMap<>();
    for (int k = 0; k < specs.length; k++) {
      NDArray x = Ops.convert(operands[k], d);
      List<Character> labels = parseSpec(subscripts, specs[k], x, k);
      for (char c : labels) if (c < '\uE000') count.merge(c, 1, Integer::sum);
      for (char c : labels) if (c >= '\uE000') maxEllipsis = Math.max(maxEllipsis, c - '\uE000' + 1);
      terms.add(new Term(x, labels));
    }
    List<Character> out = new ArrayList<>();
    if (explicit) {
      int e = rhs.indexOf("...");
      if (e >= 0 && rhs.indexOf("...", e + 1) >= 0) throw new ShapeException("einsum: '...' twice in the output of '" + subscripts + "'" + CallSite.describe());
      for (int i = 0; i < rhs.length(); i++) {
        if (i == e) {
          for (int j = maxEllipsis - 1; j >= 0; j--) out.add(ellipsisLabel(j));
          i += 2;
          continue;
        }
        char c = rhs.charAt(i);
        if (!Character.isLetter(c)) throw new ShapeException("einsum: invalid character '" + c + "' in the output of '" + subscripts + "'" + CallSite.describe());
        if (out.contains(c)) throw new ShapeException("einsum: output label '" + c + "' repeated in '" + subscripts + "'" + CallSite.describe());
        if (!count.containsKey(c)) throw new ShapeException("einsum: output label '" + c + "' does not appear in any operand of '" + subscripts + "'" + CallSite.describe());
        out.add(c);
      }
    } else {
      for (int j = maxEllipsis - 1; j >= 0; j--) out.add(ellipsisLabel(j));
      List<Character> once = new ArrayList<>();
      for (Map.Entry<Character, Integer> en : count.entrySet()) if (en.getValue() == 1) once.add(en.getKey());
      once.sort(null);
      out.addAll(once);
    }

    // sizes: a label has one size everywhere (ellipsis axes of size 1 broadcast)
    Map<Character, Integer> size = new LinkedHashMap<>();
    for (Term t : terms) {
      for (int i = 0; i < t.labels().size(); i++) {
        char c = t.labels().get(i);
        int n = t.x().shape()[i];
        Integer prev = size.get(c);
        if (prev == null || (c >= '\uE000' && prev == 1)) size.put(c, n);
        else if (prev != n && !(c >= '\uE000' && n == 1)) {
          throw new ShapeException("einsum: label '" + printable(c) + "' has size " + prev + " in one place and " + n + " in another in '" + subscripts
              + "' with operands " + types(operands) + CallSite.describe());
        }
      }
    }
    for (int k = 0; k < terms.size(); k++) terms.set(k, broadcastEllipsis(diagonals(terms.get(k)), size));

    Term cur = sumUnneeded(terms.get(0), needed(terms, 1, out, null));
    for (int k = 1; k < terms.size(); k++) {
      List<Character> later = needed(terms, k + 1, out, null);
      Term next = sumUnneeded(terms.get(k), union(later, cur.labels()));
      cur = sumUnneeded(cur, union(later, next.labels()));
      cur = contract(cur, next, later);
    }
    cur = sumUnneeded(cur, out);
    int[] perm = new int[out.size()];
    for (int i = 0; i < perm.length; i++) perm[i] = cur.labels().indexOf(out.get(i));
    return Ops.transpose(cur.x(), perm);
  }

  private static List<Character> parseSpec(String subscripts, String spec, NDArray x, int k) {
    List<Character> labels = new ArrayList<>();
    int e = spec.indexOf("...");
    if (e >= 0 && spec.indexOf("...", e + 1) >= 0) throw new ShapeException("einsum: '...' twice in operand " + k + " of '" + subscripts + "'" + CallSite.describe());
    int named = spec.length() - (e >= 0 ? 3 : 0);
    int ell = x.ndim() - named;
    if ((e < 0 && ell != 0) || ell < 0) {
      throw new ShapeException("einsum: operand " + k + " is " + x.type() + " but its subscripts '" + spec + "' name " + named + " axes in '" + subscripts + "'"
          + CallSite.describe());
    }
    for (int i = 0; i < spec.length(); i++) {
      if (i == e) {
        for (int j = ell - 1; j >= 0; j--) labels.add(ellipsisLabel(j));
        i += 2;
        continue;
      }
      char c = spec.charAt(i);
      if (!Character.isLetter(c) || c >= '\uE000') throw new ShapeException("einsum: invalid character '" + c + "' in '" + subscripts + "'" + CallSite.describe());
      labels.add(c);
    }
    return labels;
  }

  /** A label repeated within one operand becomes one axis: the diagonal (select on equal indices, then a sum). */
  private static Term diagonals(Term t) {
    NDArray x = t.x();
    List<Character> labels = new ArrayList<>(t.labels());
    for (int i = 0; i < labels.size(); i++) {
      for (int j = labels.size() - 1; j > i; j--) {
        if (!labels.get(j).equals(labels.get(i))) continue;
        int[] s = x.shape();
        if (s[i] != s[j]) throw new ShapeException("einsum: repeated label '" + labels.get(i) + "' on axes of sizes " + s[i] + " and " + s[j] + CallSite.describe());
        int[] pair = {s[i], s[j]};
        NDArray eq = Ops.eq(Ops.iota(DType.INT32, pair, 0), Ops.iota(DType.INT32, pair, 1));
        NDArray mask = Ops.broadcastInDim(eq, s, new int[] {i, j});
        x = Ops.reduceSum(Ops.select(mask, x, Ops.zeros(x.type())), j);
        labels.remove(j);
      }
    }
    return new Term(x, labels);
  }

  private static Term broadcastEllipsis(Term t, Map<Character, Integer> size) {
    int[] s = t.x().shape(), target = s.clone();
    boolean change = false;
    for (int i = 0; i < s.length; i++) {
      target[i] = size.get(t.labels().get(i));
      change |= target[i] != s[i];
    }
    if (!change) return t;
    return new Term(Np.broadcastTo(t.x(), target), t.labels());
  }

  /** Labels of the output and of the terms from {@code from} on. */
  private static List<Character> needed(List<Term> terms, int from, List<Character> out, List<Character> extra) {
    List<Character> r = new ArrayList<>(out);
    for (int k = from; k < terms.size(); k++) r = union(r, terms.get(k).labels());
    return extra == null ? r : union(r, extra);
  }

  private static List<Character> union(List<Character> a, List<Character> b) {
    List<Character> r = new ArrayList<>(a);
    for (char c : b) if (!r.contains(c)) r.add(c);
    return r;
  }

  private static Term sumUnneeded(Term t, List<Character> keep) {
    List<Integer> axes = new ArrayList<>();
    List<Character> labels = new ArrayList<>();
    for (int i = 0; i < t.labels().size(); i++) {
      if (keep.contains(t.labels().get(i))) labels.add(t.labels().get(i));
      else axes.add(i);
    }
    if (axes.isEmpty()) return t;
    return new Term(Ops.reduceSum(t.x(), axes.stream().mapToInt(Integer::intValue).toArray()), labels);
  }

  private static Term contract(Term a, Term b, List<Character> later) {
    List<Integer> ca = new ArrayList<>(), cb = new ArrayList<>(), ba = new ArrayList<>(), bb = new ArrayList<>();
    List<Character> batch = new ArrayList<>();
    for (int i = 0; i < a.labels().size(); i++) {
      char c = a.labels().get(i);
      int j = b.labels().indexOf(c);
      if (j < 0) continue;
      if (later.contains(c)) {
        ba.add(i);
        bb.add(j);
        batch.add(c);
      } else {
        ca.add(i);
        cb.add(j);
      }
    }
    NDArray r = Ops.dotGeneral(a.x(), b.x(), ints(ca), ints(cb), ints(ba), ints(bb));
    List<Character> labels = new ArrayList<>(batch);
    for (char c : a.labels()) if (!b.labels().contains(c)) labels.add(c);
    for (char c : b.labels()) if (!a.labels().contains(c)) labels.add(c);
    return new Term(r, labels);
  }

  private static int[] ints(List<Integer> xs) {
    return xs.stream().mapToInt(Integer::intValue).toArray();
  }

  private static String printable(char c) {
    return c >= '\uE000' ? "..." : String.valueOf(c);
  }

  private static String types(NDArray[] xs) {
    String[] t = new String[xs.length];
    for (int i = 0; i < xs.length; i++) t[i] = xs[i].type().toString();
    return Arrays.toString(t);
  }


}
