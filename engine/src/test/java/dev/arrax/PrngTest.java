package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.ir.Program;
import dev.arrax.testing.Exact;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Prng} against values generated once with JAX 0.10.2 on CPU (default threefry2x32,
 * jax_threefry_partitionable=True) and pasted here. Unless a comment says x64, the JAX call ran in
 * JAX's default mode, whose results for these calls are also those of x64 mode with the same
 * explicit dtype. Floats are compared bit for bit; large arrays through a checksum of their raw bits
 * ({@code h = h * 1000003 + bits}, modulo 2^64, bits unsigned), computed the same way in Python.
 */
class PrngTest {

  // ---- helpers ----

  /** Raw bits of each element as an unsigned number of the element's width (bool: 0/1). */
  static long[] raw(NDArray a) {
    long[] b = Exact.bits(a);
    if (a.dtype() == DType.INT32 || a.dtype() == DType.UINT32 || a.dtype() == DType.FLOAT32) {
      for (int i = 0; i < b.length; i++) b[i] &= 0xFFFFFFFFL;
    }
    return b;
  }

  static long checksum(NDArray a) {
    long h = 0;
    for (long b : raw(a)) h = h * 1000003L + b;
    return h;
  }

  static void assertBits(long[] expected, NDArray actual, String msg) {
    long[] a = raw(actual);
    assertEquals(expected.length, a.length, msg + ": size of " + actual.type());
    for (int i = 0; i < a.length; i++) {
      if (expected[i] != a[i]) {
        throw new AssertionError(msg + ": element " + i + " has bits 0x" + Long.toHexString(a[i]) + " (" + actual.toDoubleArray()[i]
            + ") but JAX gives 0x" + Long.toHexString(expected[i]) + "; all: " + Arrays.toString(actual.toDoubleArray()));
      }
    }
  }

  static void assertLongs(long[] expected, NDArray actual, String msg) {
    assertArrayEquals(expected, actual.toLongArray(), msg + ": " + Arrays.toString(actual.toLongArray()));
  }

  static NDArray row(NDArray keys, int i) {
    return Lax.indexInDim(keys, i, 0, false);
  }

  // ---- keys ----

  @Test
  void keyIsHighAndLowWordOfTheSeedAsInX64Jax() {
    assertLongs(new long[] {0, 0}, Prng.key(0), "key(0)");
    assertLongs(new long[] {0, 42}, Prng.key(42), "key(42)");
    assertLongs(new long[] {0x100, 7}, Prng.key((1L << 40) + 7), "key(2^40+7) (x64)");
    assertLongs(new long[] {0xFFFFFFFFL, 0xFFFFFFFFL}, Prng.key(-1), "key(-1) (x64)");
    assertEquals(DType.UINT32, Prng.key(3).dtype());
    assertArrayEquals(new int[] {2}, Prng.key(3).shape());
  }

  @Test
  void splitAndFoldInMatchJax() {
    NDArray s = Prng.split(Prng.key(0));
    assertArrayEquals(new int[] {2, 2}, s.shape());
    // row 0 is also Random123's known answer for Threefry-2x32-20 with key (0,0), counter (0,0)
    assertBits(new long[] {0x6B200159L, 0x99BA4EFEL, 0x375F238FL, 0xCDDB151DL}, s, "split(key(0))");
    NDArray s5 = Prng.split(Prng.key(42), 5);
    assertArrayEquals(new int[] {5, 2}, s5.shape());
    assertBits(new long[] {0x6D3E048FL, 0x1022172DL, 0x3D7B32DL, 0xADD083F4L, 0x92FB20EAL, 0xF38D913L, 0xBAD56946L, 0x354BA891L,
        0xB013AEE3L, 0xC34EDDF6L}, s5, "split(key(42), 5)");
    assertArrayEquals(new int[] {0, 2}, Prng.split(Prng.key(0), 0).shape());
    assertBits(new long[] {0xA1EF7A4DL, 0x116EB6B3L}, Prng.foldIn(Prng.key(0), 7), "foldIn(key(0), 7)");
    assertBits(new long[] {0xE6AF568AL, 0xFED9BB36L}, Prng.foldIn(Prng.key(42), -3), "foldIn(key(42), uint32(2^32-3))");
    assertBits(new long[] {0xEED35535L, 0x3658F19AL}, Prng.foldIn(Prng.key(42), (int) ((1L << 31) + 5)), "foldIn(key(42), 2^31+5)");
    assertBits(new long[] {0xA1EF7A4DL, 0x116EB6B3L}, Prng.foldIn(Prng.key(0), NDArray.ofInts(7).reshape()), "foldIn with an i32 array");
  }

  @Test
  void bitsMatchJax() {
    assertBits(new long[] {0x7D1C13A2L, 0xAE0730D9L, 0x9DC3F9F9L, 0x8F9EC1D7L, 0x735D7315L, 0x95FB4ED8L}, Prng.bits(Prng.key(42), 2, 3),
        "bits(key(42), (2,3), uint32)");
  }

  // ---- normal and uniform ----

  @Test
  void normalOfKeyZeroIsJaxToTheLastBit() {
    NDArray x = Prng.normal(Prng.key(0), 10);
    assertEquals(DType.FLOAT32, x.dtype());
    assertBits(new long[] {0x3FCFB2BDL, 0x40019DF0L, 0xBEDE0017L, 0xBDA10222L, 0x3E34512CL, 0xBF78DAD7L, 0xBEFD97CCL, 0x3EFD1F31L,
        0x3F2A12CCL, 0xBF733DEAL}, x, "normal(key(0), (10,))");
    assertEquals(1.622642159461975, x.toDoubleArray()[0], 0.0);
    assertArrayEquals(new int[] {0, 3}, Prng.normal(Prng.key(0), 0, 3).shape(), "empty draws");
    assertArrayEquals(new int[] {4, 0}, Prng.randint(Prng.key(0), DType.INT64, 0, 5, 4, 0).shape(), "empty draws");
    assertArrayEquals(new int[] {0}, Prng.permutation(Prng.key(0), 0).shape(), "empty permutation");
  }

  /** Seeds (2^40+7 and -1 as x64 keys) x shapes x dtypes (f64 in x64 mode); checksum of the bits, first value for the message. */
  static final Object[][] TABLE = {
      {0L, DType.FLOAT32, new int[] {}, 1070576317L, 1064475214L, 1.6226422, 0.947667},
      {0L, DType.FLOAT32, new int[] {3}, 672658046598956556L, -5428490416197398020L, 1.6226422, 0.947667},
      {0L, DType.FLOAT32, new int[] {2, 3}, -5807547037678670895L, -6035108383041932494L, 1.6226422, 0.947667},
      {0L, DType.FLOAT32, new int[] {4, 5, 6}, 149799984997734472L, -4881788682141016014L, 1.6226422, 0.947667},
      {0L, DType.FLOAT64, new int[] {}, -4626787771902979043L, 4601209873087491728L, -0.2058421394796434, 0.41845711171638644},
      {0L, DType.FLOAT64, new int[] {3}, -6067518126726587270L, -6016583927878584464L, -0.2058421394796434, 0.41845711171638644},
      {0L, DType.FLOAT64, new int[] {2, 3}, 688274609914869972L, -5098397292734999682L, -0.2058421394796434, 0.41845711171638644},
      {0L, DType.FLOAT64, new int[] {4, 5, 6}, 3618487387587677493L, 5381863806580029170L, -0.2058421394796434, 0.41845711171638644},
      {1L, DType.FLOAT32, new int[] {}, 3189646536L, 1054905456L, -0.15443718, 0.4386325},
      {1L, DType.FLOAT32, new int[] {3}, -1620016058142864634L, 3448430775901449584L, -0.15443718, 0.4386325},
      {1L, DType.FLOAT32, new int[] {2, 3}, -2940880861183888681L, -6045799307529808264L, -0.15443718, 0.4386325},
      {1L, DType.FLOAT32, new int[] {4, 5, 6}, -185756354533834612L, -7071576044262830510L, -0.15443718, 0.4386325},
      {1L, DType.FLOAT64, new int[] {}, -4615359674801239249L, 4593178043172680992L, -1.184284421837855, 0.11815024666289675},
      {1L, DType.FLOAT64, new int[] {3}, 4069170756351369819L, -1641108729389464158L, -1.184284421837855, 0.11815024666289675},
      {1L, DType.FLOAT64, new int[] {2, 3}, -2311882446474259049L, -9110722098243511482L, -1.184284421837855, 0.11815024666289675},
      {1L, DType.FLOAT64, new int[] {4, 5, 6}, 3359998216149515002L, 3818852216695527478L, -1.184284421837855, 0.11815024666289675},
      {42L, DType.FLOAT32, new int[] {}, 3169312533L, 1056585764L, -0.028304616, 0.48870957},
      {42L, DType.FLOAT32, new int[] {3}, -3507375908367370410L, 5128751307991688396L, -0.028304616, 0.48870957},
      {42L, DType.FLOAT32, new int[] {2, 3}, -1067564927714698895L, 6074187573109222462L, -0.028304616, 0.48870957},
      {42L, DType.FLOAT32, new int[] {4, 5, 6}, -2677827204849396667L, -5768213032691079092L, -0.028304616, 0.48870957},
      {42L, DType.FLOAT64, new int[] {}, -4627549074586459815L, 4601358860358518916L, -0.18471174528191162, 0.4267275666499091},
      {42L, DType.FLOAT64, new int[] {3}, -2808462188156607697L, 6027654672722425278L, -0.18471174528191162, 0.4267275666499091},
      {42L, DType.FLOAT64, new int[] {2, 3}, 2747712720366598825L, -785023756453019402L, -0.18471174528191162, 0.4267275666499091},
      {42L, DType.FLOAT64, new int[] {4, 5, 6}, -3014711282929058723L, 3210672189214279924L, -0.18471174528191162, 0.4267275666499091},
      {(1L << 40) + 7, DType.FLOAT32, new int[] {}, 1052243752L, 1059318744L, 0.35930753, 0.64031744},
      {(1L << 40) + 7, DType.FLOAT32, new int[] {3}, 786715265150166289L, 7861749521525831866L, 0.35930753, 0.64031744},
      {(1L << 40) + 7, DType.FLOAT32, new int[] {2, 3}, 3500919017035420507L, 5836963139054189046L, 0.35930753, 0.64031744},
      {(1L << 40) + 7, DType.FLOAT32, new int[] {4, 5, 6}, 5794908309312126080L, 1802913229188462592L, 0.35930753, 0.64031744},
      {(1L << 40) + 7, DType.FLOAT64, new int[] {}, 4600431390197380650L, 4603996212008375122L, 0.3752426302724837, 0.6462599858701685},
      {(1L << 40) + 7, DType.FLOAT64, new int[] {3}, 3238853448142856831L, -9040756536159447350L, 0.3752426302724837, 0.6462599858701685},
      {(1L << 40) + 7, DType.FLOAT64, new int[] {2, 3}, 7212986427368287529L, 5681438127979797696L, 0.3752426302724837, 0.6462599858701685},
      {(1L << 40) + 7, DType.FLOAT64, new int[] {4, 5, 6}, -7480889514457784807L, 2831721808601996216L, 0.3752426302724837, 0.6462599858701685},
      {-1L, DType.FLOAT32, new int[] {}, 3217484898L, 1031149600L, -1.5540888, 0.0600816},
      {-1L, DType.FLOAT32, new int[] {3}, 7771800152583209699L, -1860818209388435514L, -1.5540888, 0.0600816},
      {-1L, DType.FLOAT32, new int[] {2, 3}, -5797741084478867987L, -1941346438278966166L, -1.5540888, 0.0600816},
      {-1L, DType.FLOAT32, new int[] {4, 5, 6}, 3912329814417880571L, -3753418447342850228L, -1.5540888, 0.0600816},
      {-1L, DType.FLOAT64, new int[] {}, -4619256453946036389L, 4598261387076277820L, -0.6595128180756363, 0.25478325884464303},
      {-1L, DType.FLOAT64, new int[] {3}, -3848427243745897239L, -7428935130948492432L, -0.6595128180756363, 0.25478325884464303},
      {-1L, DType.FLOAT64, new int[] {2, 3}, -7824287251324228346L, -869097412428946572L, -0.6595128180756363, 0.25478325884464303},
      {-1L, DType.FLOAT64, new int[] {4, 5, 6}, 1637947914322278044L, 676030918034060006L, -0.6595128180756363, 0.25478325884464303},
  };

  @Test
  void normalAndUniformOverSeedsShapesAndDtypesMatchJax() {
    for (Object[] r : TABLE) {
      long seed = (Long) r[0];
      DType d = (DType) r[1];
      int[] shape = (int[]) r[2];
      String what = "seed " + seed + " " + d.shortName() + Arrays.toString(shape);
      NDArray n = Prng.normal(Prng.key(seed), d, shape);
      NDArray u = Prng.uniform(Prng.key(seed), d, shape);
      assertEquals(d, n.dtype(), what);
      assertArrayEquals(shape, n.shape(), what);
      assertEquals((Double) r[5], n.toDoubleArray()[0], Math.abs((Double) r[5]) * 1e-6, "normal " + what + " first value");
      assertEquals((Double) r[6], u.toDoubleArray()[0], Math.abs((Double) r[6]) * 1e-6, "uniform " + what + " first value");
      assertEquals((long) (Long) r[3], checksum(n), "normal " + what + " bits checksum; values " + Arrays.toString(Arrays.copyOf(n.toDoubleArray(), 4)));
      assertEquals((long) (Long) r[4], checksum(u), "uniform " + what + " bits checksum");
    }
  }

  @Test
  void longNormalStreamsMatchJaxInBothDtypes() {
    assertEquals(2604911576306745667L, checksum(Prng.normal(Prng.key(7), 100_000)), "normal(key(7), (100000,)) f32");
    assertEquals(-2354942675757589494L, checksum(Prng.normal(Prng.key(7), DType.FLOAT64, 100_000)), "normal(key(7), (100000,)) f64 (x64)");
  }

  @Test
  void uniformWithBoundsUsesFusedMultiplyAddAsXlaDoes() {
    NDArray u = Prng.uniform(Prng.key(42), DType.FLOAT32, -3.3, 7.1, 1000);
    assertBits(new long[] {0x3FE42B90L, 0x407145E2L, 0x4046FD84L}, Lax.sliceInDim(u, 0, 3, 1, 0), "uniform f32 [-3.3, 7.1)");
    assertEquals(6322240919397355749L, checksum(u), "uniform(key(42), (1000,), f32, -3.3, 7.1) checksum");
    NDArray v = Prng.uniform(Prng.key(42), DType.FLOAT64, -3.3, 7.1, 1000);
    assertBits(new long[] {0x3FF2351C9030E2EFL, 0xC00926B2912782A3L, 0x40055E6AB27825A9L}, Lax.sliceInDim(v, 0, 3, 1, 0),
        "uniform f64 [-3.3, 7.1) (x64)");
    assertEquals(1179601857026961812L, checksum(v), "uniform(key(42), (1000,), f64, -3.3, 7.1) checksum (x64)");
    double[] vs = v.toDoubleArray();
    for (double x : vs) assertTrue(x >= -3.3 && x < 7.1, "uniform in [-3.3, 7.1): " + x);
  }

  // ---- discrete ----

  @Test
  void bernoulliMatchesJaxInF32() {
    NDArray b = Prng.bernoulli(Prng.key(3), 0.3, 64);
    assertEquals(DType.BOOL, b.dtype());
    String expected = "1000101011010101000101100100010000100000000000111001000011000001";
    StringBuilder sb = new StringBuilder();
    for (long v : b.toLongArray()) sb.append(v);
    assertEquals(expected, sb.toString(), "bernoulli(key(3), 0.3, (64,))");
  }

  @Test
  void bernoulliWithAnF64ProbabilityMatchesX64Jax() {
    // x64 JAX: bernoulli(PRNGKey(3), 0.3, (64,)) draws f64 uniforms because its p is f64
    NDArray b = Prng.bernoulli(Prng.key(3), NDArray.scalar(0.3), 64);
    StringBuilder sb = new StringBuilder();
    for (long v : b.toLongArray()) sb.append(v);
    assertEquals("0011000000000011000111100110000010100000101100100000001101011110", sb.toString(), "bernoulli f64 p");
    NDArray ps = NDArray.of(0.0f, 1.0f, 0.5f);
    assertArrayEquals(new int[] {3}, Prng.bernoulli(Prng.key(3), ps).shape(), "shape of p when no shape is given");
    long[] edge = Prng.bernoulli(Prng.key(3), ps).toLongArray();
    assertEquals(0, edge[0], "p = 0 never");
    assertEquals(1, edge[1], "p = 1 always");
  }

  @Test
  void uniformWithArrayBoundsIsElementwiseTheScalarBoundsDraw() {
    NDArray lo = NDArray.of(-1.0f, 0.0f, 10.0f), hi = NDArray.of(1.0f, 1e-3f, 20.0f);
    NDArray u = Prng.uniform(Prng.key(8), DType.FLOAT32, lo, hi, 3);
    float[] l = lo.toFloatArray(), h = hi.toFloatArray();
    for (int i = 0; i < 3; i++) {
      NDArray one = Prng.uniform(Prng.key(8), DType.FLOAT32, l[i], h[i], 3);
      assertEquals(Float.floatToRawIntBits(one.toFloatArray()[i]), Float.floatToRawIntBits(u.toFloatArray()[i]), "element " + i);
    }
  }

  @Test
  void categoricalMatchesJax() {
    double[] flat = new double[35];
    for (int i = 0; i < 35; i++) flat[i] = (i % 4) * 0.5 - 1.0;
    NDArray logits = NDArray.fromFlat(flat, DType.FLOAT32, 5, 7);
    NDArray last = Prng.categorical(Prng.key(11), logits, -1);
    assertEquals(DType.INT32, last.dtype());
    assertLongs(new long[] {2, 2, 5, 1, 3}, last, "categorical axis -1");
    assertLongs(new long[] {1, 2, 1, 4, 1, 2, 1}, Prng.categorical(Prng.key(11), logits, 0), "categorical axis 0");
    NDArray many = Prng.categorical(Prng.key(5), Np.zeros(new int[] {1000, 10}, DType.FLOAT32));
    assertEquals(1408944462952346207L, checksum(many), "categorical(key(5), zeros(1000, 10)) checksum");
  }

  @Test
  void permutationMatchesJax() {
    NDArray p = Prng.permutation(Prng.key(1), 10);
    assertEquals(DType.INT32, p.dtype());
    assertLongs(new long[] {7, 6, 3, 2, 0, 8, 1, 5, 9, 4}, p, "permutation(key(1), 10)");
    assertLongs(new long[] {0}, Prng.permutation(Prng.key(1), 1), "permutation(key(1), 1): no rounds");
    NDArray big = Prng.permutation(Prng.key(1), 2000); // two sorting rounds
    assertEquals(205011540684097922L, checksum(big), "permutation(key(1), 2000) checksum");
    long[] sorted = big.toLongArray();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i], "permutation(2000) is a permutation");
    NDArray x = Np.reshape(Np.arange(12), 4, 3).astype(DType.FLOAT32);
    NDArray rows = Prng.permutation(Prng.key(2), x);
    assertArrayEquals(new double[] {6, 7, 8, 3, 4, 5, 9, 10, 11, 0, 1, 2}, rows.toDoubleArray(), "permutation(key(2), arange(12).reshape(4, 3))");
  }

  @Test
  void randintMatchesJaxInDefaultMode() {
    NDArray a = Prng.randint(Prng.key(4), 0, 10, 20);
    assertEquals(DType.INT32, a.dtype());
    assertLongs(new long[] {4, 6, 7, 0, 0, 9, 9, 9, 0, 4, 0, 8, 3, 5, 5, 3, 2, 8, 4, 7}, a, "randint [0, 10)");
    assertLongs(new long[] {-1, 1, 2, -5, -5, 4, 4, 4, -5, -1, -5, 3, -2, 0, 0, -2, -3, 3, -1, 2}, Prng.randint(Prng.key(4), -5, 5, 20), "randint [-5, 5)");
    assertLongs(new long[] {591994710, 341517154, 867671949, 517258274, -1233871748, 270076547, -1326463717, -948584059},
        Prng.randint(Prng.key(4), Integer.MIN_VALUE, Integer.MAX_VALUE, 8), "randint [-2^31, 2^31-1)");
    assertLongs(new long[] {7, 7, 7}, Prng.randint(Prng.key(4), 7, 7, 3), "randint with maxval == minval");
    assertLongs(new long[] {7, 7, 7}, Prng.randint(Prng.key(4), 7, 2, 3), "randint with maxval < minval");
    assertEquals(-3350915334384578367L, checksum(Prng.randint(Prng.key(9), -3, 1000003, 1000)), "randint [-3, 1000003) checksum");
  }

  @Test
  void randintWithExplicitDtypesMatchesX64Jax() {
    NDArray k = Prng.key(4);
    assertLongs(new long[] {591994710, 341517154, 867671949, 517258274, 913611900, 270076547, 821019931, 1198899589},
        Prng.randint(k, DType.INT32, 0, 1L << 31, 8), "randint i32 [0, 2^31): maxval past the range");
    assertLongs(new long[] {591994710, 341517154, 867671949, 517258274, -1233871748, 270076547, -1326463717, -948584059},
        Prng.randint(k, DType.INT32, -(1L << 31), 1L << 31, 8), "randint i32 [-2^31, 2^31): span wraps to 0");
    NDArray u = Prng.randint(k, DType.UINT32, 5, (1L << 32) - 7, 6);
    assertEquals(DType.UINT32, u.dtype());
    assertLongs(new long[] {2739478363L, 2489000807L, 3015155602L, 2664741927L, 913611905L, 2417560200L}, u, "randint u32 [5, 2^32-7)");
    assertLongs(new long[] {2739478358L, 2489000802L, 3015155597L, 2664741922L, 913611900L, 2417560195L},
        Prng.randint(k, DType.UINT32, 0, 1L << 32, 6), "randint u32 [0, 2^32)");
    NDArray l = Prng.randint(k, DType.INT64, -1_000_000_000_000L, 1_000_000_000_000L, 8);
    assertEquals(DType.INT64, l.dtype());
    assertLongs(new long[] {-971255825331L, -582049504515L, 410806099650L, -945009276640L, 932017811430L, 644428815963L, -705239751321L,
        264863636832L}, l, "randint i64 [-10^12, 10^12)");
    assertLongs(new long[] {-4193358008110601139L, 6053068381095719677L, 7960131373951323842L, -8009751981864052448L, 4323705895163035622L,
        -6163100392425959845L}, Prng.randint(k, DType.INT64, Long.MIN_VALUE, Long.MAX_VALUE, 6), "randint i64 full range (span >= 2^63)");
    assertLongs(new long[] {418328010316786765L, -3170303655759056130L, -1263240662903451965L, -3398065963436664544L, 8935391913590423526L,
        -1551414373998571941L}, Prng.randint(k, DType.INT64, -(1L << 62), Long.MAX_VALUE, 6), "randint i64 [-2^62, 2^63-1)");
    assertEquals(2935019793361568218L, checksum(Prng.randint(Prng.key(9), DType.INT64, -5, 5, 1000)), "randint i64 [-5, 5) checksum");
    assertEquals(-5415374072315750555L, checksum(Prng.randint(Prng.key(9), DType.INT64, 0, 1_000_000_000_000_000_003L, 1000)),
        "randint i64 [0, 10^18+3) checksum");
  }

  // ---- transformations ----

  @Test
  void jitGivesTheSameBitsAsEagerEvaluation() {
    NDArray key = Prng.key(42);
    Fn[] fs = {
        a -> Prng.normal(a[0], 3, 4),
        a -> Prng.normal(a[0], DType.FLOAT64, 7),
        a -> Prng.uniform(a[0], DType.FLOAT32, -2.0, 5.0, 9),
        a -> Prng.bernoulli(a[0], 0.7, 11),
        a -> Prng.randint(a[0], DType.INT64, -7, 1_000_000_000_007L, 5),
        a -> Prng.randint(a[0], -3, 9, 6),
        a -> Prng.permutation(a[0], 2000),
        a -> Prng.categorical(a[0], Np.zeros(new int[] {6, 5}, DType.FLOAT32)),
        a -> Prng.split(a[0], 3),
        a -> Prng.foldIn(a[0], 12345),
    };
    for (int i = 0; i < fs.length; i++) {
      NDArray eager = fs[i].apply(key);
      NDArray jitted = Arrax.jit(fs[i]).apply(key);
      Exact.sameBits(eager, jitted, "function " + i + " under jit");
    }
    NDArray viaJit = Arrax.jit(a -> Prng.normal(a[0], 10)).apply(Prng.key(0));
    assertBits(new long[] {0x3FCFB2BDL, 0x40019DF0L, 0xBEDE0017L, 0xBDA10222L, 0x3E34512CL, 0xBF78DAD7L, 0xBEFD97CCL, 0x3EFD1F31L,
        0x3F2A12CCL, 0xBF733DEAL}, viaJit, "jit(normal)(key(0))");
    NDArray traced = Arrax.jit(a -> Prng.foldIn(a[0], a[1])).apply(Prng.key(0), NDArray.ofInts(7).reshape());
    assertBits(new long[] {0xA1EF7A4DL, 0x116EB6B3L}, traced, "jit(foldIn) with traced data");
  }

  @Test
  void programOfNormalPrintsParsesAndRunsToTheSameBits() {
    Program p = Arrax.makeJaxpr(a -> Prng.normal(a[0], DType.FLOAT32, 5), Prng.key(0));
    String text = p.toText();
    for (String prim : new String[] {"threefry2x32", "shift_right_logical", "bitcast_convert_type", "erf_inv", "fma"}) {
      assertTrue(text.contains(prim), "program mentions " + prim + ":\n" + text);
    }
    Program back = Program.parse(text);
    Exact.sameBits(p.call(Prng.key(0))[0], back.call(Prng.key(0))[0], "parsed program");
  }

  @Test
  void vmapOverKeysEqualsALoopOverKeys() {
    NDArray keys = Prng.split(Prng.key(0), 5);
    Fn[] fs = {
        a -> Prng.normal(a[0], 4),
        a -> Prng.normal(a[0], DType.FLOAT64, 2, 3),
        a -> Prng.uniform(a[0], DType.FLOAT32, -1.5, 2.5, 3),
        a -> Prng.bernoulli(a[0], 0.25, 6),
        a -> Prng.randint(a[0], -100, 100, 4),
        a -> Prng.randint(a[0], DType.INT64, 0, Long.MAX_VALUE, 3),
        a -> Prng.permutation(a[0], 7),
        a -> Prng.categorical(a[0], NDArray.fromFlat(new double[] {0.1, 2.0, -1.0, 0.5, 0.5, 0.0}, DType.FLOAT32, 2, 3)),
        a -> Prng.split(a[0], 3),
        a -> Prng.foldIn(a[0], 9),
        a -> Prng.bits(a[0], 2),
    };
    for (int i = 0; i < fs.length; i++) {
      NDArray batched = Arrax.vmap(fs[i]).apply(keys);
      NDArray[] rows = new NDArray[5];
      for (int b = 0; b < 5; b++) rows[b] = fs[i].apply(row(keys, b));
      Exact.sameBits(Np.stack(rows, 0), batched, "function " + i + ": vmap over 5 keys vs loop");
      NDArray jitVmap = Arrax.jit(Arrax.vmap(fs[i])).apply(keys);
      Exact.sameBits(batched, jitVmap, "function " + i + ": jit(vmap) vs vmap");
    }
    NDArray normals = Arrax.vmap(a -> Prng.normal(a[0], 4)).apply(keys);
    assertEquals(7933567959566050218L, checksum(normals), "jax.vmap(lambda k: normal(k, (4,)))(split(PRNGKey(0), 5)) checksum");
    // vmap over the data folded in: one key, many data values
    NDArray data = NDArray.ofInts(0, 7, -3);
    NDArray folded = Arrax.vmap(a -> Prng.foldIn(a[0], a[1]), new Integer[] {null, 0}).apply(Prng.key(42), data);
    assertBits(new long[] {0xE6AF568AL, 0xFED9BB36L}, row(folded, 2), "vmap(foldIn) over data, element -3");
  }

  @Test
  void streamsOfDifferentKeysDiffer() {
    Set<Long> seen = new HashSet<>();
    for (long s : new long[] {0, 1, 2, 42, -1, 1L << 40}) seen.add(checksum(Prng.bits(Prng.key(s), 8)));
    NDArray ks = Prng.split(Prng.key(0), 4);
    for (int i = 0; i < 4; i++) seen.add(checksum(Prng.bits(row(ks, i), 8)));
    assertEquals(10, seen.size(), "ten keys give ten different bit streams");
  }

  // ---- statistics ----

  @Test
  void millionNormalsHaveMeanZeroAndVarianceOneWithinFiveSigma() {
    int n = 1_000_000;
    double[] x = Prng.normal(Prng.key(2024), n).toDoubleArray();
    double sum = 0, sq = 0;
    for (double v : x) sum += v;
    double mean = sum / n;
    for (double v : x) sq += (v - mean) * (v - mean);
    double var = sq / (n - 1);
    assertTrue(Math.abs(mean) < 5 / Math.sqrt(n), "mean " + mean + " of " + n + " normals");
    assertTrue(Math.abs(var - 1) < 5 * Math.sqrt(2.0 / n), "variance " + var + " of " + n + " normals");
    long beyond3 = Arrays.stream(x).filter(v -> Math.abs(v) > 3).count(); // P(|Z| > 3) = 0.0026998
    double p3 = 0.0026997960632601866;
    assertTrue(Math.abs(beyond3 - n * p3) < 5 * Math.sqrt(n * p3 * (1 - p3)), beyond3 + " normals beyond 3 sigma");
  }

  @Test
  void uniformBernoulliRandintAndCategoricalFrequenciesAreRight() {
    int n = 200_000;
    double[] u = Prng.uniform(Prng.key(5), DType.FLOAT64, n).toDoubleArray();
    double mean = Arrays.stream(u).sum() / n; // var of U(0,1) is 1/12
    assertTrue(Math.abs(mean - 0.5) < 5 * Math.sqrt(1.0 / 12 / n), "uniform mean " + mean);
    long ones = Arrays.stream(Prng.bernoulli(Prng.key(6), 0.3, n).toLongArray()).sum();
    assertTrue(Math.abs(ones - 0.3 * n) < 5 * Math.sqrt(n * 0.3 * 0.7), "bernoulli(0.3) count " + ones);
    long[] counts = new long[7];
    for (long v : Prng.randint(Prng.key(7), -3, 4, n).toLongArray()) counts[(int) v + 3]++;
    for (long c : counts) assertTrue(Math.abs(c - n / 7.0) < 5 * Math.sqrt(n / 7.0 * 6 / 7), "randint [-3, 4) counts " + Arrays.toString(counts));
    double[] logits = {Math.log(0.5), Math.log(0.3), Math.log(0.2)};
    int m = 20_000;
    double[] flat = new double[3 * m];
    for (int i = 0; i < m; i++) System.arraycopy(logits, 0, flat, 3 * i, 3);
    long[] cat = Prng.categorical(Prng.key(8), NDArray.fromFlat(flat, DType.FLOAT32, m, 3)).toLongArray();
    double[] p = {0.5, 0.3, 0.2};
    for (int k = 0; k < 3; k++) {
      final int kk = k;
      long c = Arrays.stream(cat).filter(v -> v == kk).count();
      assertTrue(Math.abs(c - p[k] * m) < 5 * Math.sqrt(m * p[k] * (1 - p[k])), "categorical class " + k + " count " + c);
    }
  }

  // ---- errors ----

  @Test
  void badKeysAndDtypesAreRejectedWithTheirNames() {
    ShapeException e = assertThrows(ShapeException.class, () -> Prng.normal(NDArray.of(1.0, 2.0), 3));
    assertTrue(e.getMessage().contains("Prng.uniform: a key is a u32[2] array") && e.getMessage().contains("f64[2]"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Prng.uniform(Prng.split(Prng.key(0), 3), 2));
    assertTrue(e.getMessage().contains("u32[3,2]") && e.getMessage().contains("vmap"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Prng.normal(Prng.key(0), DType.INT32, 2));
    assertTrue(e.getMessage().contains("Prng.normal: dtype must be f32 or f64, got i32"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Prng.randint(Prng.key(0), DType.FLOAT32, 0, 3, 2));
    assertTrue(e.getMessage().contains("Prng.randint: dtype must be i32, u32 or i64, got f32"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Prng.split(Prng.key(0), -1));
    assertTrue(e.getMessage().contains("Prng.split: the number of keys must be >= 0, got -1"), e.getMessage());
  }
}
