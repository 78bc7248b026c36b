package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.compile.Passes;
import dev.arrax.ir.Program;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Seeing a program: the per-row input gradient of a 2-layer tanh MLP, as traced and as jit runs it
 * (optimized), written as Graphviz files with {@code Program.toDot()} and rendered to SVG where the {@code dot}
 * command exists (else the command to render them is printed).
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.ProgramGraph}
 * (files go to {@code target/program-graph}, or the folder given as the first argument).
 */
public final class ProgramGraph {
  private ProgramGraph() {}

  /** The files written and whether {@code dot} rendered them. */
  public record Result(Path tracedDot, Path optimizedDot, Program traced, Program optimized, boolean rendered) {}

  static NDArray mlp(NDArray... a) {
    return Np.dot(Np.tanh(Np.add(Np.dot(a[0], a[1]), a[2])), a[3]);
  }

  public static Result run(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    NDArray x = Np.zeros(new int[] {8, 4}, DType.FLOAT32), w1 = Np.zeros(new int[] {4, 3}, DType.FLOAT32);
    NDArray b1 = Np.zeros(new int[] {3}, DType.FLOAT32), w2 = Np.zeros(new int[] {3}, DType.FLOAT32);
    Fn perRowGrad = Arrax.vmap(Arrax.grad(ProgramGraph::mlp), 0, null, null, null);
    Program traced = Arrax.makeJaxpr(perRowGrad, x, w1, b1, w2);
    Program optimized = Passes.optimize(traced);
    Path tracedDot = dir.resolve("traced.dot"), optimizedDot = dir.resolve("optimized.dot");
    Files.writeString(tracedDot, traced.toDot());
    Files.writeString(optimizedDot, optimized.toDot());
    boolean rendered = render(tracedDot) & render(optimizedDot);
    return new Result(tracedDot, optimizedDot, traced, optimized, rendered);
  }

  /** {@code dot -Tsvg f.dot -o f.svg} when Graphviz is installed; false when it is not. */
  static boolean render(Path dotFile) throws IOException, InterruptedException {
    Path svg = dotFile.resolveSibling(dotFile.getFileName().toString().replace(".dot", ".svg"));
    Process p;
    try {
      p = new ProcessBuilder("dot", "-Tsvg", dotFile.toString(), "-o", svg.toString()).redirectErrorStream(true).start();
    } catch (IOException noDot) {
      return false;
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0 && Files.exists(svg);
  }

  public static void main(String[] args) throws Exception {
    Result r = run(Path.of(args.length > 0 ? args[0] : "target/program-graph"));
    System.out.printf("traced program: %d equations -> %s%n", r.traced().eqns().size(), r.tracedDot());
    System.out.printf("optimized (what jit runs): %d equations -> %s%n", r.optimized().eqns().size(), r.optimizedDot());
    if (r.rendered()) {
      System.out.println("rendered with Graphviz: " + r.tracedDot().toString().replace(".dot", ".svg") + ", " + r.optimizedDot().toString().replace(".dot", ".svg"));
    } else {
      System.out.println("Graphviz 'dot' is not installed; render with: dot -Tsvg " + r.optimizedDot() + " -o optimized.svg");
    }
  }
}
