package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.ir.Program;
import org.junit.jupiter.api.Test;

/** Shapes that overflow and program texts that try to allocate or misread: clear errors, no allocation. */
class HostileInputsTest {
  private static final String HUGE = "shape [65536, 65536, 65536, 65536] has 18446744073709551616 elements; an Arrax array holds at most"
      + " 2147483647 (2^31 - 1): split the data into batches (in Spark, a smaller batchRows)";

  @Test void shapesWhoseElementCountOverflowsAreRejected() {
    int[] s = {65536, 65536, 65536, 65536};
    assertEquals(HUGE, assertThrows(ShapeException.class, () -> NDArray.fromFlat(new double[0], s)).getMessage());
    assertEquals(HUGE, assertThrows(ShapeException.class, () -> Np.zeros(s)).getMessage());
    assertTrue(assertThrows(ShapeException.class, () -> Np.zeros(new int[] {46341, 46341})).getMessage()
        .startsWith("shape [46341, 46341] has 2147488281 elements;"));
    // An empty array may have huge other axes: it holds nothing.
    assertEquals(0, Np.zeros(new int[] {0, 65536, 65536, 65536}).size());
    assertEquals(Integer.MAX_VALUE, dev.arrax.core.ArrayType.of(DType.BOOL, Integer.MAX_VALUE).size());
  }

  @Test void programTextWithAnOverflowingTypeIsAParseError() {
    String text = "{ lambda ; a:f32[65536,65536,65536,65536] . let\n    b:f32[65536,65536,65536,65536] = neg a\n  in (b) }";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(text));
    assertTrue(e.getMessage().contains("18446744073709551616 elements"), e.getMessage());
  }

  @Test void boolLiteralsAreTrueOrFalseOnly() {
    String ok = "{ lambda ; a:bool[] . let\n    b:bool[] = and a true:bool[]\n  in (b) }";
    assertEquals(ok, Program.parse(ok).toText());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(ok.replace("true:bool[]", "yes:bool[]")));
    assertTrue(e.getMessage().contains("bool literal must be true or false, got 'yes'"), e.getMessage());
  }

  /** A 30-byte literal or constant line must not make the parser allocate a 12.8 GB array first. */
  @Test void hugeLiteralsAndConstantsFailBeforeAllocating() {
    String literal = "{ lambda ; a:f64[2] . let\n    b:f64[2] = add a 1.0:f64[40000,40000]\n  in (b) }";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(literal));
    assertTrue(e.getMessage().contains("a literal is a scalar, got type f64[40000,40000]"), e.getMessage());
    String constant = "{ lambda a:f64[40000,40000] ; b:f64[2] . let\n    c:f64[2] = neg b\n  in (c) }\nconsts\n  a = 1.0\nend";
    IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> Program.parse(constant));
    assertTrue(c.getMessage().contains("expected 1600000000 values for f64[40000,40000], got 1"), c.getMessage());
  }
}
