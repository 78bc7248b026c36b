package dev.arrax.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.ScanBody;
import dev.arrax.ir.Program;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Program#parse} on randomly mutated valid program texts (byte flips, deletions, duplications, token swaps,
 * truncation, bracket damage): it parses (and the result passes the verifier) or fails with the documented
 * {@code IllegalArgumentException("Program.parse: line N: ...")}; never an NPE, a ClassCastException, an index or
 * number-format error, a stack overflow or a hang. Seeded; a failure prints the seed, the mutation and the text.
 * A long run: {@code mvn -o -pl engine test -Dtest=ProgramTextFuzzTest -Darrax.fuzz.mutations=200000 -Darrax.fuzz.seed=1}.
 */
class ProgramTextFuzzTest {

  /** Valid texts that cover constants, literals of every dtype, int-array and dtype params and nested programs. */
  static List<String> seedTexts() {
    List<String> texts = new ArrayList<>();
    NDArray x = NDArray.of(new double[][] {{0.5, -1.0, 2.0}, {1.5, 0.25, -3.0}});
    NDArray v = NDArray.of(1.0f, -2.0f, 3.5f);
    NDArray ints = NDArray.ofInts(3, 1, 2);
    texts.add(Arrax.makeJaxpr(a -> Np.tanh(Np.add(a[0], NDArray.of(1.0, 2.0, 3.0))), x).toText());
    texts.add(Arrax.makeJaxpr(a -> Np.where(Np.greater(a[0], 0.0), Np.exp(a[0]), Np.multiply(a[0], 2.0)), v).toText());
    texts.add(Arrax.makeJaxpr(a -> Np.matmul(a[0], Np.transpose(a[0])).astype(DType.FLOAT32), x).toText());
    texts.add(Arrax.makeJaxpr(a -> Np.cumsum(Np.take(a[0], a[1], 1), 0), x, NDArray.ofInts(2, 0, 1, 1)).toText());
    texts.add(Arrax.makeJaxpr(a -> Lax.pad(a[0], NDArray.scalar(0.0), new int[][] {{1, 0, 1}, {0, 2, 0}}), x).toText());
    texts.add(Arrax.makeJaxpr(a -> Np.argmax(a[0], 1).astype(DType.INT64).add(a[1].astype(DType.INT64).sum()), x, ints).toText());
    texts.add(Arrax.makeJaxpr(a -> Lax.cond(Np.greater(a[0].sum(), 0.0), b -> Np.sin(b[0]), b -> Np.cos(b[0]).mul(3.0), a[0]), v).toText());
    texts.add(Arrax.makeJaxpr(a -> Lax.scan((c, e) -> {
      NDArray s = c.add(Np.sin(e));
      return new ScanBody.Step(s, s.mul(2.0));
    }, Np.zeros(3), a[0]).ys(), x).toText());
    texts.add(Arrax.makeJaxpr(a -> Lax.whileLoop(c -> Np.less(c[0].sum(), 100.0), c -> c[0].mul(2.0).add(1.0), a[0]), v).toText());
    texts.add(Arrax.makeJaxpr(a -> Lax.foriLoop(0, 3, (i, c) -> c.add(i.astype(DType.FLOAT64)), Nn.softmax(a[0], 1)), x).toText());
    texts.add(Arrax.makeJaxpr(a -> Np.logicalAnd(Np.isfinite(a[0]), Np.less(a[0], NDArray.ofBools(true, false, true).astype(DType.FLOAT32))).astype(DType.INT32), v).toText());
    return texts;
  }

  /** One random mutation of {@code text}; {@code what} receives its description. */
  static String mutate(String text, Random r, StringBuilder what) {
    int n = text.length();
    if (n == 0) {
      what.append("insert '{' into the empty text");
      return "{";
    }
    int at = r.nextInt(n);
    switch (r.nextInt(9)) {
      case 0 -> {
        char c = (char) (text.charAt(at) ^ (1 << r.nextInt(7)));
        what.append("flip bit at ").append(at);
        return text.substring(0, at) + c + text.substring(at + 1);
      }
      case 1 -> {
        int len = 1 + r.nextInt(Math.min(20, n - at));
        what.append("delete ").append(len).append(" chars at ").append(at);
        return text.substring(0, at) + text.substring(at + len);
      }
      case 2 -> {
        int len = 1 + r.nextInt(Math.min(40, n - at));
        what.append("duplicate ").append(len).append(" chars at ").append(at);
        return text.substring(0, at + len) + text.substring(at, at + len) + text.substring(at + len);
      }
      case 3 -> {
        String[] toks = text.split("(?<=[\\s\\[\\](){},:=;])|(?=[\\s\\[\\](){},:=;])", -1);
        int i = r.nextInt(toks.length), j = r.nextInt(toks.length);
        what.append("swap tokens ").append(i).append(" '").append(toks[i]).append("' and ").append(j).append(" '").append(toks[j]).append("'");
        String t = toks[i];
        toks[i] = toks[j];
        toks[j] = t;
        return String.join("", toks);
      }
      case 4 -> {
        what.append("truncate at ").append(at);
        return text.substring(0, at);
      }
      case 5 -> {
        String[] special = {"[", "]", "{", "}", "(", ")", ",", ":", "=", ";", " ", "\n", "-", "f32[]", "i32[", "99999999", "-1", "NaN", "1e400",
            "{ lambda ; a:f32[] . let\n in (a) }", ".", "bool", "'", "\"", "\\", "\u0000", "\u00e9"};
        String s = special[r.nextInt(special.length)];
        what.append("insert '").append(s.replace("\n", "\\n")).append("' at ").append(at);
        return text.substring(0, at) + s + text.substring(at);
      }
      case 6 -> {
        String[] lines = text.split("\n", -1);
        int i = r.nextInt(lines.length), j = r.nextInt(lines.length);
        what.append("swap lines ").append(i).append(" and ").append(j);
        String t = lines[i];
        lines[i] = lines[j];
        lines[j] = t;
        return String.join("\n", lines);
      }
      case 7 -> {
        // a number or a name replaced: digits change shapes, params and literals
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?[0-9]+(\\.[0-9]+)?").matcher(text);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) spans.add(new int[] {m.start(), m.end()});
        if (spans.isEmpty()) return mutate(text, r, what);
        int[] s = spans.get(r.nextInt(spans.size()));
        String[] repl = {"0", "-1", "1", "2", "7", "2147483647", "2147483648", "-2147483649", "1.5", "9999999999999", "1e309", "x", ""};
        String with = repl[r.nextInt(repl.length)];
        what.append("replace number '").append(text, s[0], s[1]).append("' at ").append(s[0]).append(" by '").append(with).append("'");
        return text.substring(0, s[0]) + with + text.substring(s[1]);
      }
      default -> {
        // a dtype replaced: what a hand edit of an equation's type looks like
        String[] dts = {"f32", "f64", "i32", "i64", "u32", "bool", "f16", "q"};
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(f32|f64|i32|i64|u32|bool)\\[").matcher(text);
        List<Integer> starts = new ArrayList<>();
        while (m.find()) starts.add(m.start());
        if (starts.isEmpty()) return mutate(text, r, what);
        int s = starts.get(r.nextInt(starts.size()));
        int e = text.indexOf('[', s);
        String with = dts[r.nextInt(dts.length)];
        what.append("dtype at ").append(s).append(" '").append(text, s, e).append("' -> '").append(with).append("'");
        return text.substring(0, s) + with + text.substring(e);
      }
    }
  }

  /** null when {@code t} is the documented parse failure, else a description of the unclear outcome. */
  static String unclear(Throwable t) {
    if (t == null) return null;
    Throwable root = t;
    while (root.getCause() != null) root = root.getCause();
    // the documented error, and not a wrapped internal failure (a shape rule indexing out of range, a null)
    boolean internal = root instanceof IndexOutOfBoundsException || root instanceof NullPointerException || root instanceof ClassCastException
        || root instanceof ArithmeticException || root instanceof NegativeArraySizeException || root instanceof StackOverflowError;
    if (!internal && t.getClass() == IllegalArgumentException.class && t.getMessage() != null && t.getMessage().startsWith("Program.parse: ")) return null;
    return (internal ? "wrapped " + root.getClass().getName() : t.getClass().getName()) + ": " + t.getMessage();
  }

  @Test
  void mutatedTextsFailWithTheParseError() {
    long seed = Long.getLong("arrax.fuzz.seed", 20261130L);
    int count = Integer.getInteger("arrax.fuzz.mutations", 4000);
    List<String> texts = seedTexts();
    for (String t : texts) assertEquals(t, Program.parse(t).toText(), "seed text round trip");
    Random r = new Random(seed);
    Map<String, Integer> kinds = new LinkedHashMap<>(), causes = new java.util.TreeMap<>();
    int parsed = 0, rejected = 0;
    List<String> failures = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      String base = texts.get(r.nextInt(texts.size()));
      StringBuilder what = new StringBuilder();
      String text = mutate(base, r, what);
      if (r.nextInt(4) == 0) text = mutate(text, r, what.append("; "));
      Throwable thrown = null;
      long s = System.nanoTime();
      try {
        Program p = Program.parse(text);
        parsed++;
        // what parses must print and parse back to the same text
        assertEquals(p.toText(), Program.parse(p.toText()).toText(), "re-parse of a parsed mutant");
      } catch (Throwable e) {
        thrown = e;
      }
      double ms = (System.nanoTime() - s) / 1e6;
      String bad = unclear(thrown);
      if (thrown != null && bad == null) {
        rejected++;
        Throwable root = thrown;
        while (root.getCause() != null) root = root.getCause();
        causes.merge(root.getClass().getSimpleName(), 1, Integer::sum);
      }
      if (bad == null && ms > 2000) bad = "parse took " + ms + " ms";
      if (bad != null) {
        kinds.merge(bad.replaceAll(":.*", ""), 1, Integer::sum);
        if (failures.size() < 5) failures.add("mutation " + i + " (seed " + seed + "): " + what + "\n -> " + bad + "\n text:\n" + text);
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    int unclearCount = count - parsed - rejected;
    System.out.printf("FUZZ-TEXT mutations=%d parsed=%d rejected=%d unclear=%d kinds=%s rootCauses=%s seconds=%.1f seed=%d%n", count, parsed, rejected, unclearCount, kinds, causes,
        secs, seed);
    assertTrue(failures.isEmpty(), unclearCount + " of " + count + " mutated texts ended in an unclear exception " + kinds + ", first:\n"
        + String.join("\n----\n", failures));
  }
}
