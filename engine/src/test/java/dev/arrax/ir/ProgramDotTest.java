package dev.arrax.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import org.junit.jupiter.api.Test;

/** Program.toDot: a well-formed Graphviz digraph with one box per equation and an edge per operand. */
class ProgramDotTest {
  @Test void everyEquationIsABoxAndEveryOperandAnEdge() {
    NDArray x = NDArray.of(1.0, 2.0), w = NDArray.of(0.5, -1.0);
    Program p = Arrax.makeJaxpr(a -> Np.sum(Np.tanh(Np.multiply(Np.add(a[0], 2.0), a[1]))), x, w);
    String dot = p.toDot();
    assertTrue(dot.startsWith("digraph program {\n"), dot);
    assertTrue(dot.endsWith("}\n"), dot);
    assertEquals(p.eqns().size(), count(dot, "[shape=box"), dot);
    int operands = 0;
    for (Eqn e : p.eqns()) operands += e.inputs().size();
    assertEquals(operands + p.outs().size(), count(dot, " -> "), dot);
    assertTrue(dot.contains("in0 [shape=ellipse, label=\"arg 0\\nf64[2]\"];"), dot);
    assertTrue(dot.contains("label=\"tanh\\nf64[2]\""), dot);
    assertTrue(dot.contains("label=\"reduce_sum\\naxes=(0,)\\nf64[]\""), dot);
    // balanced quotes on every line: no label breaks out of its string
    for (String line : dot.split("\n")) assertEquals(0, count(line.replace("\\\"", ""), "\"") % 2, line);
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
    return n;
  }
}
