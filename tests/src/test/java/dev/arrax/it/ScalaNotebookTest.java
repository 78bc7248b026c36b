package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;


/**
 * Runs the dev.arrax API from Scala 2.13, the way a Databricks (Scala) notebook cell would use it:
 * the cell text is compiled in-process with the real Scala compiler (scala-compiler, test scope),
 * loaded with a class loader whose parent is this test's loader, and its bound values are read back.
 *
 * <p>Mechanism: a cell is wrapped in {@code object <Name> { <cell> }} (as the REPL does), so every
 * top-level {@code val} of the cell becomes an accessor with a static forwarder on the class
 * {@code <Name>}; the test reads a value with {@code Class.forName(name).getMethod(val).invoke(null)}.
 * The compiler gets the test classpath from {@code surefire.test.class.path} (Surefire's manifest-only
 * booter jar hides it from {@code java.class.path}), falling back to {@code java.class.path}.
 */
class ScalaNotebookTest {

    /** The notebook cell: plain Scala 2.13 using the Java API. */
    private static final String GRAD_CELL = String.join("\n",
            "import dev.arrax._",
            "val f = Fn.of((x: NDArray) => Np.sum(Np.tanh(x).mul(2.0)))",
            "val g = Arrax.grad(f)",
            "val x = NDArray.of(0.1, -0.5, 2.0)",
            "val out: Array[Double] = g.apply(x).toDoubleArray()",
            "val value: Double = f.apply(x).item()",
            "// two-argument function through the BiFunction adapter; d/dx sum(exp(x) + 3y) = exp(x)",
            "val h = Fn.of((a: NDArray, b: NDArray) => Np.sum(Np.exp(a).add(b.mul(3.0))))",
            "val y = NDArray.of(1.0, 2.0, 3.0)",
            "val outExp: Array[Double] = Arrax.grad(h).apply(x, y).toDoubleArray()",
            "// the natural Scala lambda where an Fn (or MultiFn) is expected, with the Java API alone",
            "val loss: Fn = a => Np.sum(Np.multiply(a(0), a(1)))",
            "val outNatural: Array[Double] = Arrax.grad(loss).apply(x, y).toDoubleArray()",
            "val both: MultiFn = a => Array(Np.sum(a(0)), Np.sum(a(1)))",
            "val sums: Array[Double] = both.apply(x, y).map(_.item())",
            "");

    private static final double[] X = {0.1, -0.5, 2.0};

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void scalaCellComputesGradientOfTanh() throws Exception {
        Class<?> cell = compileCell("GradCell", GRAD_CELL);

        double[] out = (double[]) ScalaCells.read(cell, "out");
        assertEquals(X.length, out.length);
        for (int i = 0; i < X.length; i++) {
            double t = Math.tanh(X[i]);
            double expected = 2.0 * (1.0 - t * t);
            assertEquals(expected, out[i], 1e-12, "d/dx sum(2 tanh x) at x[" + i + "]=" + X[i]);
        }

        double value = (Double) ScalaCells.read(cell, "value");
        double expectedValue = 0;
        for (double xi : X) {
            expectedValue += 2.0 * Math.tanh(xi);
        }
        assertEquals(expectedValue, value, 1e-12, "sum(2 tanh x)");

        // d/da sum(a * b) = b; the sums of x and y
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1.0, 2.0, 3.0}, (double[]) ScalaCells.read(cell, "outNatural"), 0.0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.1 - 0.5 + 2.0, 6.0}, (double[]) ScalaCells.read(cell, "sums"), 1e-15);

        double[] outExp = (double[]) ScalaCells.read(cell, "outExp");
        assertEquals(X.length, outExp.length);
        for (int i = 0; i < X.length; i++) {
            assertEquals(Math.exp(X[i]), outExp[i], 1e-12, "d/da sum(exp(a) + 3b) at a[" + i + "]=" + X[i]);
        }
    }

    @Test
    @Timeout(120)
    void scalaCellWithCompileErrorFailsClearly() {
        String badCell = String.join("\n",
                "import dev.arrax._",
                "val x = NDArray.of(1.0, 2.0)",
                "val s: String = Np.tanh(x)",
                "");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> compileCell("BadCell", badCell));
        String msg = e.getMessage();
        assertTrue(msg.contains("type mismatch"), msg);
        assertTrue(msg.contains("cell line 3"), msg);
        assertTrue(msg.contains("NDArray"), msg);
        try (Stream<Path> files = Files.walk(tmp)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".class")), "no class files for a failed cell");
        } catch (IOException io) {
            fail(io);
        }
    }

    private Class<?> compileCell(String name, String cell) throws Exception {
        return ScalaCells.compile(tmp, name, cell);
    }
}
