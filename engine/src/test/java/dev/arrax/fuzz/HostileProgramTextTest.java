package dev.arrax.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.compile.cpu.KernelCache;
import dev.arrax.ir.Program;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-edited program text: an ill-typed equation is refused by the verifier inside {@link Program#parse} before
 * anything runs or compiles, and nothing of the text but numbers (parsed, then printed by Java) reaches the generated
 * kernel source: names are replaced by slots, literals are parsed to values.
 */
class HostileProgramTextTest {
  private static final String GOOD = "{ lambda ; a:f32[40] b:f32[40] . let\n"
      + "    c:f32[40] = mul a b\n"
      + "    d:f32[40] = exp c\n"
      + "    f:f32[40] = broadcast_in_dim[shape=(40,) broadcast_dimensions=()] 2.5:f32[]\n"
      + "    e:f32[40] = add d f\n"
      + "  in (e) }";

  @Test
  void illTypedEditsAreRefusedBeforeAnythingCompiles() {
    NDArray x = Np.linspace(-1, 1, 40).astype(DType.FLOAT32);
    Program good = Program.parse(GOOD);
    float[] want = Arrax.jit(a -> good.call(a)[0]).apply(x, x).toFloatArray();
    assertEquals(Math.exp(1.0) + 2.5, want[39], 1e-5);
    int compiles = KernelCache.compileCount();
    String[][] edits = {
        {"d:f32[40] = exp c", "d:f64[40] = exp c", "exp[] output 0 declared f64[40] but the rule gives f32[40]"},
        {"d:f32[40] = exp c", "d:f32[41] = exp c", "exp[] output 0 declared f32[41] but the rule gives f32[40]"},
        {"c:f32[40] = mul a b", "c:f32[40] = mul a 2:i32[]", "mul[] with inputs [f32[40], i32[]] fails its shape rule"},
        {"e:f32[40] = add d f", "e:bool[40] = add d f", "add[] output 0 declared bool[40] but the rule gives f32[40]"},
        {"2.5:f32[]", "2:i32[]", "broadcast_in_dim[shape=(40,) broadcast_dimensions=()] output 0 declared f32[40] but the rule gives i32[40]"},
        {"a:f32[40] b:f32[40]", "a:f32[40] b:f32[4]", "mul[] with inputs [f32[40], f32[4]] fails its shape rule"},
        {"in (e)", "in (e e)", null},
    };
    for (String[] e : edits) {
      String text = GOOD.replace(e[0], e[1]);
      if (e[2] == null) {
        assertEquals(2, Program.parse(text).outs().size(), "a second output is well typed");
        continue;
      }
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Program.parse(text), e[1]);
      assertTrue(ex.getMessage().startsWith("Program.parse: the program is not well typed: IR: "), ex.getMessage());
      assertTrue(ex.getMessage().contains(e[2]), ex.getMessage());
    }
    assertEquals(compiles, KernelCache.compileCount(), "no kernel compiled for a refused text");
  }

  @Test
  void namesAndLiteralTextNeverReachKernelSource() throws Exception {
    String[] hostileNames = {"PWNED1\";System.exit(3);//", "PWNED2*/Runtime.getRuntime().halt(3);/*", "PWNED3\\u000aSystem.exit(3);", "PWNED4}}class{"};
    NDArray x = Np.linspace(-1, 1, 40).astype(DType.FLOAT32);
    for (String name : hostileNames) {
      String text = GOOD.replace("c:", name + ":").replace("mul a b", "mul a b").replace(" c\n", " " + name + "\n");
      Program p = Program.parse(text);
      assertTrue(p.toText().startsWith("{ lambda ; a:f32[40] b:f32[40] . let\n    c:f32[40] = mul a b"), "names are not kept: " + p.toText());
      float[] y = Arrax.jit(a -> p.call(a)[0]).apply(x, x).toFloatArray();
      assertEquals(Math.exp(1.0) + 2.5, y[39], 1e-5, name);
    }
    // literal text Java would read differently, or that is not a plain decimal: only the parsed value may be used
    String[] literals = {"2.5e0d", "0x1.4p1", "+2.5", "2.50000000000000000001"};
    for (String lit : literals) {
      Program p = Program.parse(GOOD.replace("2.5:f32[]", lit + ":f32[]"));
      float[] y = Arrax.jit(a -> p.call(a)[0]).apply(x, x).toFloatArray();
      assertEquals(Math.exp(1.0) + 2.5, y[39], 1e-5, lit);
    }
    // code in a literal is a parse error, never source
    for (String lit : new String[] {"1);System.exit(3);//", "1f+Runtime.getRuntime().halt(3)", "(1)"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(GOOD.replace("2.5:f32[]", lit + ":f32[]")));
      assertTrue(e.getMessage().startsWith("Program.parse: line 4: "), e.getMessage());
    }
    List<String> sources = cachedKernelSources();
    assertFalse(sources.isEmpty(), "the jitted programs compiled kernels");
    for (String src : sources) {
      assertFalse(src.contains("PWNED") || src.contains("System.exit") || src.contains("halt("), "a name reached kernel source:\n" + src);
      for (String lit : literals) assertFalse(src.contains(lit), "literal text '" + lit + "' reached kernel source:\n" + src);
    }
  }

  /** The sources of the kernels in the cache (its keys), read by reflection: the cache has no public view of them. */
  private static List<String> cachedKernelSources() throws Exception {
    List<String> r = new ArrayList<>();
    for (Field f : KernelCache.class.getDeclaredFields()) {
      if (!Map.class.isAssignableFrom(f.getType()) || !java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
      f.setAccessible(true);
      Map<?, ?> m = (Map<?, ?>) f.get(null);
      synchronized (m) {
        for (Object k : m.keySet()) if (k instanceof String s) r.add(s);
      }
    }
    assertFalse(r.isEmpty(), "KernelCache keeps kernels by source in a static map (the test reads its keys)");
    return r;
  }
}
