package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.examples.DataValuation;
import dev.arrax.examples.HessianVectorProduct;
import dev.arrax.examples.MlpSaliency;
import org.junit.jupiter.api.Test;

/**
 * The engine-only examples, run as their {@code main} would run them, checked for their numbers (the Spark
 * example SamplerStatistics is checked through spark-submit in {@link BundleSparkSubmitTest}).
 */
class ExamplesTest {

  @Test
  void mlpSaliencyMatchesTheClosedFormAndRanksFeaturesByWeightScale() {
    MlpSaliency.Result r = MlpSaliency.run(20_000);
    assertEquals(20_000, r.rows());
    assertTrue(r.maxError() < 1e-13, "max |saliency - closed form| = " + r.maxError());
    assertArrayEquals(new int[] {0, 1, 2, 3}, java.util.Arrays.copyOf(r.ranking(), 4), "features 0..3 have weight scales 3, 2, 1, 0.5");
    for (int j = 4; j < 8; j++) assertEquals(0.0, r.meanAbsSaliency()[j], "feature " + j + " has zero weights");
    // mean |saliency| scales with the weight scale: feature 0 (scale 3) well above feature 2 (scale 1)
    assertTrue(r.meanAbsSaliency()[0] > 2.5 * r.meanAbsSaliency()[2], java.util.Arrays.toString(r.meanAbsSaliency()));
  }

  @Test
  void dataValuationFindsFlippedLabelsWithPerExampleGradients() {
    DataValuation.Result r = DataValuation.run();
    assertTrue(r.maxGradientError() < 1e-13, "per-example gradients vs (sigmoid(z) - y)[1, x]: " + r.maxGradientError());
    assertEquals(20, r.flipped().length);
    assertEquals(400, r.ranking().length);
    // A random ranking puts 1 flipped row (20 * 20 / 400) among the 20 lowest scores; the gradient score puts 9.
    assertTrue(r.flippedInBottom() >= 8, "flipped rows among the 20 most harmful: " + r.flippedInBottom());
    // the fitted weights keep the signs of the true ones (shrunk by the label noise)
    double[] trueW = {3.0, -4.0, 2.0, 1.0, -2.0};
    for (int j = 0; j < 5; j++) assertEquals(Math.signum(trueW[j]), Math.signum(r.theta()[1 + j]), "sign of w" + j);
  }

  @Test
  void programGraphWritesBothProgramsAsGraphviz(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    dev.arrax.examples.ProgramGraph.Result r = dev.arrax.examples.ProgramGraph.run(dir);
    assertEquals(r.traced().toDot(), java.nio.file.Files.readString(r.tracedDot()));
    assertEquals(r.optimized().toDot(), java.nio.file.Files.readString(r.optimizedDot()));
    assertTrue(r.optimized().eqns().size() < r.traced().eqns().size(), "the optimizer removes work: " + r.optimized().eqns().size());
    // rendered exactly where Graphviz is installed
    boolean hasDot = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .anyMatch(d -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, "dot")));
    assertEquals(hasDot, r.rendered());
    assertEquals(hasDot, java.nio.file.Files.exists(dir.resolve("optimized.svg")));
  }

  @Test
  void hessianVectorProductsMatchTheClosedFormAndDriveANewtonStep() {
    HessianVectorProduct.Result r = HessianVectorProduct.run();
    assertTrue(r.maxErrorClosedForm() < 1e-14, "hvp vs closed form: " + r.maxErrorClosedForm());
    assertTrue(r.maxErrorHessian() < 1e-14, "hvp vs hessian(f) v: " + r.maxErrorHessian());
    assertTrue(r.cgResidual() < 1e-12, "|H s + g| = " + r.cgResidual());
    assertTrue(r.cgIterations() <= 10, "CG on a 10x10 SPD system converges in at most 10 steps: " + r.cgIterations());
    assertTrue(r.lossAfter() < r.lossBefore() - 0.3, r.lossBefore() + " -> " + r.lossAfter());
  }
}
