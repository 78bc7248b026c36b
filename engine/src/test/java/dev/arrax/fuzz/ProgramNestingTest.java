package dev.arrax.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.ir.Program;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deeply nested sub-programs (cond inside cond ...) print and parse in time linear in the text. Before the fix, each
 * level was re-scanned, copied and re-verified: at depth 100 printing took 1 s and parsing 38 s, at depth 400
 * printing 30 s and parsing 88 s; now depth 400 (3.9 MB of text) takes well under a second each.
 */
class ProgramNestingTest {
  /** {@code x > 0 ? f_{d-1}(x) : 2x}, nested {@code d} deep, {@code sin} at the bottom. */
  static Fn nested(int d) {
    if (d == 0) return a -> Np.sin(a[0]);
    Fn inner = nested(d - 1);
    return a -> Lax.cond(Np.greater(a[0], 0.0), inner, b -> b[0].mul(2.0), a[0]);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void deepNestingPrintsAndParsesInLinearTime() {
    StringBuilder report = new StringBuilder("NESTING");
    for (int d : new int[] {50, 100, 200, 400}) {
      Program p = Arrax.makeJaxpr(nested(d), NDArray.scalar(0.5));
      long t0 = System.nanoTime();
      String text = p.toText();
      long t1 = System.nanoTime();
      Program q = Program.parse(text);
      long t2 = System.nanoTime();
      assertEquals(text, q.toText(), "depth " + d + " round trip");
      assertEquals(Math.sin(0.5), q.call(NDArray.scalar(0.5))[0].item(), 0, "depth " + d + ": every level takes the true branch");
      assertEquals(-1.0, q.call(NDArray.scalar(-0.5))[0].item(), 0, "depth " + d + ": the outer false branch");
      report.append(String.format(" depth=%d chars=%d print=%.0fms parse=%.0fms", d, text.length(), (t1 - t0) / 1e6, (t2 - t1) / 1e6));
    }
    System.out.println(report);
  }

  @Test
  void nestingBeyondTheLimitIsAParseError() {
    // A hand-made text nesting 501 cond branches: refused with the parse error, not a StackOverflowError.
    int depth = 501;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) sb.append("{ lambda ; a:f32[] . let\n b:f32[] = cond[branches=(\n");
    sb.append("{ lambda ; a:f32[] . let\n  in (a) }\n");
    for (int i = 0; i < depth; i++) sb.append(")] 0:i32[] a\n  in (b) }\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(sb.toString()));
    assertTrue(e.getMessage().startsWith("Program.parse: line 1003: programs nested deeper than 500 levels"), e.getMessage());
    // 200 levels of the same hand-made text parse and run
    StringBuilder ok = new StringBuilder();
    for (int i = 0; i < 200; i++) ok.append("{ lambda ; a:f32[] . let\n b:f32[] = cond[branches=(\n");
    ok.append("{ lambda ; a:f32[] . let\n  in (a) }\n");
    for (int i = 0; i < 200; i++) ok.append(")] 0:i32[] a\n  in (b) }\n");
    // 20000 levels: the stack runs out before the limit is checked on a small-stack thread; still the parse error
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 20000; i++) deep.append("{ lambda ; a:f32[] . let\n b:f32[] = cond[branches=(\n");
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> Program.parse(deep.toString()));
    assertTrue(d.getMessage().startsWith("Program.parse: line "), d.getMessage());
    assertEquals(2.5f, Program.parse(ok.toString()).call(NDArray.scalar(2.5, dev.arrax.DType.FLOAT32))[0].item(), 0);
  }
}
