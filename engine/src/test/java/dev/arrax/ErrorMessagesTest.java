package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.Rand;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * "Errors are part of the product": each bad input gets the right exception type and a message that
 * names the operation, the shapes/dtypes involved and the fix, eagerly and under the transformations;
 * never a NullPointerException, ClassCastException, IndexOutOfBoundsException or an "internal"
 * IllegalStateException.
 */
class ErrorMessagesTest {
  private static final String SELF = ErrorMessagesTest.class.getName();

  /** A tracer stored from inside a transformation: the escape that {@link #escapedTracers} checks. */
  private NDArray leaked;

  // ---- helpers ----

  /** The line of the caller, so that a test can put it on the same line as the call an error should point to. */
  private static int here() {
    return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
  }

  /** The message fragments CallSite writes for a call on {@code line} of this file. */
  private static String[] site(int line) {
    return new String[] {" (at " + SELF + ".", "(ErrorMessagesTest.java:" + line + "))"};
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** Runs {@code body}, which must throw exactly {@code type} with every fragment in its message. */
  private static <T extends Throwable> T expect(Class<T> type, String what, Executable body, String... fragments) {
    Throwable t = thrown(what, body);
    if (t.getClass() != type) {
      throw new AssertionError(what + ": expected " + type.getSimpleName() + " but got " + t.getClass().getName() + ": " + t.getMessage(), t);
    }
    checkMessage(what, t, fragments);
    return type.cast(t);
  }

  /** As {@link #expect}, accepting a subclass of {@code type}. */
  private static <T extends Throwable> T expectKind(Class<T> type, String what, Executable body, String... fragments) {
    Throwable t = thrown(what, body);
    if (!type.isInstance(t)) {
      throw new AssertionError(what + ": expected a " + type.getSimpleName() + " but got " + t.getClass().getName() + ": " + t.getMessage(), t);
    }
    checkMessage(what, t, fragments);
    return type.cast(t);
  }

  private static Throwable thrown(String what, Executable body) {
    try {
      body.execute();
    } catch (Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof NullPointerException || c instanceof ClassCastException || c instanceof IndexOutOfBoundsException
            || (c instanceof IllegalStateException && String.valueOf(c.getMessage()).startsWith("internal"))) {
          throw new AssertionError(what + ": a user error surfaced as " + c, t);
        }
      }
      return t;
    }
    throw new AssertionError(what + ": expected an exception, but the call returned normally");
  }

  private static void checkMessage(String what, Throwable t, String... fragments) {
    String m = t.getMessage();
    assertTrue(m != null && !m.isBlank(), what + ": empty message");
    for (String f : fragments) {
      assertTrue(m.contains(f), what + ": message lacks '" + f + "':\n  " + m);
    }
  }

  private static NDArray f32(int... shape) {
    return Np.ones(shape, DType.FLOAT32);
  }

  /** Where a function runs: eagerly or under one transformation. */
  private enum Ctx { EAGER, MAKE_JAXPR, JIT, VMAP, GRAD }

  /** Applies f in the context; for vmap every argument gets a leading batch axis of 2, for grad the output is summed. */
  private static void run(Ctx c, Fn f, NDArray... args) {
    switch (c) {
      case EAGER -> f.apply(args);
      case MAKE_JAXPR -> Arrax.makeJaxpr(f, args);
      case JIT -> Arrax.jit(f).apply(args);
      case VMAP -> {
        NDArray[] b = new NDArray[args.length];
        for (int i = 0; i < b.length; i++) b[i] = Np.stack(args[i], args[i]);
        Arrax.vmap(f).apply(b);
      }
      case GRAD -> Arrax.grad(xs -> Np.sum(f.apply(xs))).apply(args);
    }
  }

  /** f must fail with {@code type} and the fragments in every context. */
  private static void everywhere(Class<? extends Throwable> type, String what, Fn f, NDArray[] args, String... fragments) {
    for (Ctx c : Ctx.values()) expect(type, what + " [" + c + "]", () -> run(c, f, args), fragments);
  }

  // ---- broadcasting ops ----

  @Test
  void broadcastingOpsOnIncompatibleShapesNameOpTypesAndCallSite() {
    NDArray[] ab = {f32(3), f32(4)};
    int l1 = here(); Fn add = xs -> Np.add(xs[0], xs[1]);
    everywhere(ShapeException.class, "Np.add", add, ab, concat(site(l1), "add:", "f32[3] and f32[4]", "cannot be broadcast", "equal or 1"));

    int l2 = here(); Fn mul = xs -> Np.multiply(xs[0], xs[1]);
    everywhere(ShapeException.class, "Np.multiply", mul, ab, concat(site(l2), "multiply:", "f32[3] and f32[4]", "cannot be broadcast"));

    int l3 = here(); Fn method = xs -> xs[0].sub(xs[1]);
    everywhere(ShapeException.class, "NDArray.sub", method, ab, concat(site(l3), "subtract:", "f32[3] and f32[4]"));

    int l4 = here(); Fn where = xs -> Np.where(Np.greater(xs[0], 0.0), xs[0], xs[1]);
    everywhere(ShapeException.class, "Np.where", where, ab, concat(site(l4), "where:", "bool[3]", "f32[3]", "f32[4]", "cannot be broadcast", "equal or 1"));

    int l5 = here(); Fn dot = xs -> Np.dot(xs[0], xs[1]);
    everywhere(ShapeException.class, "Np.dot", dot, ab, concat(site(l5), "dot:", "f32[3] and f32[4]", "not aligned", "size 3", "size 4"));

    int l6 = here(); Fn matmul = xs -> Np.matmul(xs[0], xs[1]);
    everywhere(ShapeException.class, "Np.matmul vectors", matmul, ab, concat(site(l6), "matmul:", "f32[3]", "f32[4]", "3 != 4"));
    everywhere(ShapeException.class, "Np.matmul matrices", matmul, new NDArray[] {f32(2, 3), f32(4, 5)},
        concat(site(l6), "matmul:", "f32[2,3] @ f32[4,5]", "3 != 4"));
    everywhere(ShapeException.class, "Np.matmul batch", matmul, new NDArray[] {f32(2, 2, 3), f32(3, 3, 1)},
        concat(site(l6), "matmul:", "batch shapes [2] and [3]", "cannot be broadcast"));
  }

  @Test
  void broadcastingFailsExactlyWhenNumpyRulesSayPropertyOverShapes() {
    for (long seed = 0; seed < 40; seed++) {
      Rand r = new Rand(seed);
      int rank = 1 + r.nextInt(4);
      int[] a = new int[rank];
      for (int i = 0; i < rank; i++) a[i] = r.nextInt(5) == 0 ? 0 : 2 + r.nextInt(4);
      int axis = r.nextInt(rank);
      int[] b = a.clone();
      b[axis] = a[axis] == 0 ? 2 + r.nextInt(3) : a[axis] + 1 + r.nextInt(3); // neither equal nor 1
      if (r.nextInt(2) == 0) b = prepend(b, 1 + r.nextInt(3));
      NDArray x = Np.zeros(a), y = Np.ones(b, DType.FLOAT32);
      String msg = "shapes " + Arrays.toString(a) + " " + Arrays.toString(b) + " " + r.describe();
      expect(ShapeException.class, msg, () -> Np.add(x, y), "add:", x.type() + " and " + y.type());
      expect(ShapeException.class, msg, () -> Np.multiply(y, x), "multiply:", y.type() + " and " + x.type());

      // The same pair with the offending axis set to 1 in b broadcasts; the result shape, by the rule written out here:
      int[] ok = b.clone();
      ok[ok.length - rank + axis] = 1;
      int[] want = new int[Math.max(a.length, ok.length)];
      for (int i = 0; i < want.length; i++) {
        int da = i - (want.length - a.length) >= 0 ? a[i - (want.length - a.length)] : 1;
        int db = i - (want.length - ok.length) >= 0 ? ok[i - (want.length - ok.length)] : 1;
        want[i] = da == 1 ? db : da;
      }
      NDArray s = Np.add(x, Np.ones(ok, DType.FLOAT32));
      assertArrayEquals(want, s.shape(), msg);
      assertEquals(DType.FLOAT64, s.dtype(), msg);
      // 0-d broadcasts with anything.
      assertArrayEquals(a, Np.add(x, NDArray.scalar(1.0)).shape(), msg);
    }
  }

  private static int[] prepend(int[] s, int d) {
    int[] r = new int[s.length + 1];
    r[0] = d;
    System.arraycopy(s, 0, r, 1, s.length);
    return r;
  }

  // ---- primitives (lax semantics) ----

  @Test
  void laxOpsRequireEqualShapesAndDtypesAndPointToNp() {
    NDArray[] shapes = {f32(3), f32(4)};
    int l1 = here(); Fn add = xs -> Lax.add(xs[0], xs[1]);
    everywhere(ShapeException.class, "Lax.add shapes", add, shapes,
        concat(site(l1), "add:", "f32[3] and f32[4]", "shapes must be equal", "Np.add broadcasts"));

    NDArray[] dtypes = {f32(3), Np.ones(3)};
    everywhere(ShapeException.class, "Lax.add dtypes", add, dtypes,
        concat(site(l1), "add:", "f32[3] and f64[3]", "dtypes must be equal", "Np.add promotes", "astype"));

    // The hint names the Np function that really exists for each primitive.
    int l2 = here(); Fn mul = xs -> Lax.mul(xs[0], xs[1]);
    everywhere(ShapeException.class, "Lax.mul", mul, shapes, concat(site(l2), "mul:", "f32[3] and f32[4]", "Np.multiply broadcasts"));
    int l3 = here(); Fn sub = xs -> Lax.sub(xs[0], xs[1]);
    everywhere(ShapeException.class, "Lax.sub", sub, dtypes, concat(site(l3), "sub:", "f32[3] and f64[3]", "Np.subtract promotes"));
    int l4 = here(); Fn div = xs -> Lax.div(xs[0], xs[1]);
    everywhere(ShapeException.class, "Lax.div", div, shapes, concat(site(l4), "div:", "Np.divide broadcasts"));

    int l6 = here(); Fn dotGeneral = xs -> Lax.dotGeneral(xs[0], xs[1], new int[] {0, 1}, new int[] {0});
    everywhere(ShapeException.class, "Lax.dotGeneral", dotGeneral, new NDArray[] {f32(3, 4), f32(3)},
        concat(site(l6), "dot_general:", "lhs_contract=[0, 1] rhs_contract=[0]", "f32[3,4] and f32[3]"));

    int l5 = here(); Fn sel = xs -> Lax.select(Np.greater(xs[0], 0.0), xs[0], xs[1]);
    everywhere(ShapeException.class, "Lax.select", sel, shapes, concat(site(l5), "select_n:", "f32[3]", "f32[4]", "Np.where"));
  }

  // ---- shapes, axes, indices ----

  @Test
  void reshapeErrors() {
    int l1 = here(); Fn wrongSize = xs -> Np.reshape(xs[0], 4);
    everywhere(ShapeException.class, "reshape size", wrongSize, new NDArray[] {f32(6)},
        concat(site(l1), "reshape:", "f32[6] (6 elements)", "[4] (4 elements)", "-1"));
    int l2 = here(); Fn method = xs -> xs[0].reshape(4, 2);
    everywhere(ShapeException.class, "NDArray.reshape", method, new NDArray[] {f32(2, 3)}, concat(site(l2), "reshape:", "f32[2,3]", "[4, 2]"));
    int l3 = here(); Fn infer = xs -> Np.reshape(xs[0], -1, 4);
    everywhere(ShapeException.class, "reshape -1", infer, new NDArray[] {f32(6)}, concat(site(l3), "reshape:", "f32[6]", "[-1, 4]"));
    int l4 = here(); Fn twoInferred = xs -> Np.reshape(xs[0], -1, -1);
    everywhere(ShapeException.class, "reshape two -1", twoInferred, new NDArray[] {f32(6)},
        concat(site(l4), "reshape:", "only one dimension can be -1", "[-1, -1]"));
    int l5 = here(); Fn negative = xs -> Np.reshape(xs[0], -2, -3);
    everywhere(ShapeException.class, "reshape negative", negative, new NDArray[] {f32(6)}, concat(site(l5), "reshape:", "negative", "[-2, -3]"));
  }

  @Test
  void transposeWithANonPermutation() {
    int l1 = here(); Fn repeated = xs -> Np.transpose(xs[0], 0, 0);
    everywhere(ShapeException.class, "repeated axis", repeated, new NDArray[] {f32(2, 3)},
        concat(site(l1), "transpose:", "[0, 0]", "not a permutation", "f32[2,3]"));
    int l2 = here(); Fn outOfRange = xs -> xs[0].transpose(1, 2);
    everywhere(ShapeException.class, "axis out of range", outOfRange, new NDArray[] {f32(2, 3)},
        concat(site(l2), "transpose:", "[1, 2]", "not a permutation", "f32[2,3]"));
    // Too short: [0] is the identity prefix of rank 2, and must not be accepted silently.
    int l3 = here(); Fn tooShort = xs -> Np.transpose(xs[0], 0);
    everywhere(ShapeException.class, "too short", tooShort, new NDArray[] {f32(2, 3)},
        concat(site(l3), "transpose:", "[0]", "not a permutation", "f32[2,3]"));
  }

  @Test
  void axisOutOfRangeListsTheValidRange() {
    NDArray[] x = {f32(2, 3)};
    Object[][] cases = {
        {"sum", (Fn) xs -> Np.sum(xs[0], 2), "axis 2", "-2..1"},
        {"sum", (Fn) xs -> Np.sum(xs[0], -3, true), "axis -3", "-2..1"},
        {"mean", (Fn) xs -> Np.mean(xs[0], 2), "axis 2", "-2..1"},
        {"max", (Fn) xs -> Np.max(xs[0], 5), "axis 5", "-2..1"},
        {"argmax", (Fn) xs -> Np.argmax(xs[0], 2).astype(DType.FLOAT32), "axis 2", "-2..1"},
        {"cumsum", (Fn) xs -> Np.cumsum(xs[0], 2), "axis 2", "-2..1"},
        {"softmax", (Fn) xs -> Nn.softmax(xs[0], 2), "axis 2", "-2..1"},
        {"logsumexp", (Fn) xs -> Nn.logsumexp(xs[0], -3), "axis -3", "-2..1"},
        {"expandDims", (Fn) xs -> Np.expandDims(xs[0], 3), "axis 3", "rank 3", "-3..2"},
        {"squeeze", (Fn) xs -> Np.squeeze(xs[0], 2), "axis 2", "-2..1"},
        {"concatenate", (Fn) xs -> Np.concatenate(new NDArray[] {xs[0], xs[0]}, 2), "axis 2", "-2..1"},
        {"stack", (Fn) xs -> Np.stack(new NDArray[] {xs[0], xs[0]}, 3), "axis 3", "-3..2"},
        {"sliceInDim", (Fn) xs -> Lax.sliceInDim(xs[0], 0, 1, 1, 2), "axis 2", "-2..1"},
        {"indexInDim", (Fn) xs -> Lax.indexInDim(xs[0], 0, -3, false), "axis -3", "-2..1"},
    };
    for (Object[] c : cases) {
      String op = (String) c[0];
      String[] frags = new String[c.length - 1];
      frags[0] = op + ":";
      for (int i = 2; i < c.length; i++) frags[i - 1] = (String) c[i];
      // Under vmap the message must speak of the per-example rank, not the batched one.
      everywhere(ShapeException.class, op, (Fn) c[1], x, frags);
    }
    expect(ShapeException.class, "sum of a 0-d array", () -> Np.sum(NDArray.scalar(1.0), 0), "sum:", "rank 0", "valid axes are none");
  }

  @Test
  void squeezeConcatenateIndexSliceErrors() {
    int l1 = here(); Fn squeeze = xs -> Np.squeeze(xs[0], 0);
    everywhere(ShapeException.class, "squeeze", squeeze, new NDArray[] {f32(2, 3)},
        concat(site(l1), "squeeze:", "axis 0", "f32[2,3]", "size is 2, not 1"));

    int l2 = here(); Fn ranks = xs -> Np.concatenate(xs[0], xs[1]);
    everywhere(ShapeException.class, "concatenate ranks", ranks, new NDArray[] {f32(2), f32(2, 3)},
        concat(site(l2), "concatenate:", "same rank", "f32[2] and f32[2,3]"));
    int l3 = here(); Fn other = xs -> Np.concatenate(new NDArray[] {xs[0], xs[1]}, 0);
    everywhere(ShapeException.class, "concatenate other axis", other, new NDArray[] {f32(2, 3), f32(2, 4)},
        concat(site(l3), "concatenate:", "f32[2,4]", "f32[2,3]", "axis 1", "only axis 0 may differ"));
    int l4 = here(); Fn stack = xs -> Np.stack(xs[0], xs[1]);
    everywhere(ShapeException.class, "stack", stack, new NDArray[] {f32(2), f32(3)}, concat(site(l4), "stack:", "same shape", "f32[2] and f32[3]"));

    int l5 = here(); Fn index = xs -> Lax.indexInDim(xs[0], 3, 0, false);
    everywhere(ShapeException.class, "indexInDim", index, new NDArray[] {f32(3)},
        concat(site(l5), "indexInDim:", "index 3", "axis 0 with size 3", "f32[3]"));
    int l6 = here(); Fn negIndex = xs -> Lax.indexInDim(xs[0], -4, 0, true);
    everywhere(ShapeException.class, "indexInDim -4", negIndex, new NDArray[] {f32(3)}, concat(site(l6), "indexInDim:", "index -4", "size 3"));

    int l7 = here(); Fn atSet = xs -> xs[0].at(5).set(1.0);
    everywhere(ShapeException.class, "at(5).set", atSet, new NDArray[] {f32(3)}, concat(site(l7), "at:", "index 5", "axis 0 with size 3", "f32[3]"));
    int l8 = here(); Fn atAdd = xs -> xs[0].at(0, -4).add(xs[0]);
    everywhere(ShapeException.class, "at(0,-4).add", atAdd, new NDArray[] {f32(2, 3)}, concat(site(l8), "at:", "index -4", "axis 1 with size 3"));
    int l9 = here(); Fn atRank = xs -> xs[0].at(0, 0).set(2.0);
    everywhere(ShapeException.class, "at rank", atRank, new NDArray[] {f32(3)}, concat(site(l9), "at:", "2 indices", "rank 1", "f32[3]"));
    int l10 = here(); Fn atGet = xs -> xs[0].at(1, 7).get();
    everywhere(ShapeException.class, "at.get", atGet, new NDArray[] {f32(2, 3)}, concat(site(l10), "indexInDim:", "index 7", "size 3"));

    int l11 = here(); Fn backwards = xs -> Lax.sliceInDim(xs[0], 3, 1, 1, 0);
    everywhere(ShapeException.class, "sliceInDim start > limit", backwards, new NDArray[] {f32(5)},
        concat(site(l11), "sliceInDim:", "[3:1:1]", "axis 0 (size 5)", "f32[5]", "0 <= start <= limit <= 5"));
    int l12 = here(); Fn past = xs -> Lax.sliceInDim(xs[0], 0, 6, 1, 0);
    everywhere(ShapeException.class, "sliceInDim limit > size", past, new NDArray[] {f32(5)}, concat(site(l12), "sliceInDim:", "[0:6:1]", "size 5"));
    int l13 = here(); Fn stride = xs -> Lax.sliceInDim(xs[0], 0, 5, 0, 0);
    everywhere(ShapeException.class, "sliceInDim stride 0", stride, new NDArray[] {f32(5)}, concat(site(l13), "sliceInDim:", "[0:5:0]", "stride >= 1"));
  }

  @Test
  void constructionAndValueErrors() {
    expect(ShapeException.class, "ragged rows", () -> NDArray.of(new double[][] {{1, 2, 3}, {4, 5}}),
        "NDArray.of(double[][])", "row 1 has 2 elements", "row 0 has 3", "same length");
    expect(ShapeException.class, "fromFlat size", () -> NDArray.fromFlat(new double[5], 2, 3), "fromFlat:", "5 values", "[2, 3]", "(6 elements)");
    expect(ShapeException.class, "fromFlat f32 size", () -> NDArray.fromFlat(new float[7], 2, 3), "fromFlat:", "7 values", "[2, 3]");
    expect(ShapeException.class, "fromFlat negative", () -> NDArray.fromFlat(new double[0], 2, -1), "fromFlat:", "negative", "[2, -1]");
    expect(ShapeException.class, "item of f64[3]", () -> Np.ones(3).item(), "item()", "exactly one element", "f64[3]", "Np.sum");
    expect(ShapeException.class, "item of f64[0]", () -> Np.zeros(0).item(), "item()", "f64[0]");
    assertEquals(7.0, Np.full(new int[] {1, 1}, 7.0).item(), "item of a one-element f64[1,1]");

    int l1 = here(); Fn maxAll = xs -> Np.max(xs[0]);
    everywhere(ShapeException.class, "Np.max of f32[0]", maxAll, new NDArray[] {f32(0)},
        concat(site(l1), "max:", "zero-size array", "no identity", "f32[0]"));
    int l2 = here(); Fn minAxis = xs -> Np.min(xs[0], 1);
    everywhere(ShapeException.class, "Np.min axis 1 of f32[2,0]", minAxis, new NDArray[] {f32(2, 0)},
        concat(site(l2), "min:", "zero-size array", "f32[2,0]", "[1]"));
    // Reducing a non-empty axis of an array that is empty elsewhere is fine (as in NumPy): max over axis 1 of f64[0,3] is f64[0].
    assertArrayEquals(new int[] {0}, Np.max(Np.zeros(0, 3), 1).shape());
  }

  // ---- concretization ----

  @Test
  void javaIfOnATracedValueFailsUnderJitVmapAndMakeJaxprButWorksUnderGrad() {
    Fn branchy = xs -> xs[0].item() > 0 ? xs[0].mul(xs[0]) : xs[0].neg();
    NDArray three = NDArray.scalar(3.0), minusTwo = NDArray.scalar(-2.0);
    String[] fix = {"item()", "f64[]", "Np.where", "static", "staticArgnums"};

    expect(ConcretizationException.class, "jit", () -> Arrax.jit(branchy).apply(three), concat(fix, "inside jit"));
    expect(ConcretizationException.class, "makeJaxpr", () -> Arrax.makeJaxpr(branchy, three), concat(fix, "inside makeJaxpr"));
    expect(ConcretizationException.class, "vmap", () -> Arrax.vmap(branchy).apply(NDArray.of(3.0, -2.0)), concat(fix, "inside vmap"));
    // Composed: the value is abstract because of the outer jit/vmap. (The message names the inner "grad" today; see the report.)
    expect(ConcretizationException.class, "jit of grad", () -> Arrax.jit(Arrax.grad(branchy)).apply(three), fix);
    expect(ConcretizationException.class, "vmap of grad", () -> Arrax.vmap(Arrax.grad(branchy)).apply(NDArray.of(3.0, -2.0)), fix);
    Fn reads = xs -> NDArray.of(xs[0].toDoubleArray());
    expect(ConcretizationException.class, "toDoubleArray under jit", () -> Arrax.jit(reads).apply(NDArray.of(1.0, 2.0)),
        "toDoubleArray()", "f64[2]", "inside jit", "Np.where");
    expect(ConcretizationException.class, "toDoubleArray under vmap", () -> Arrax.vmap(reads).apply(Np.ones(2, 3)),
        "toDoubleArray()", "f64[3]", "inside vmap");

    // Forward mode knows primal values (as JAX does for Python control flow under grad):
    // d/dx (x > 0 ? x^2 : -x) is 2x = 6 at 3 and -1 at -2.
    assertEquals(6.0, Arrax.grad(branchy).apply(three).item(), 0.0, "grad at 3");
    assertEquals(-1.0, Arrax.grad(branchy).apply(minusTwo).item(), 0.0, "grad at -2");
    assertEquals(2.0, Arrax.grad(Arrax.grad(branchy)).apply(three).item(), 0.0, "second derivative at 3");
    Arrax.JvpResult j = Arrax.jvp(branchy, new NDArray[] {minusTwo}, new NDArray[] {NDArray.scalar(0.5)});
    assertEquals(2.0, j.primalOut().item(), 0.0, "jvp primal at -2");
    assertEquals(-0.5, j.tangentOut().item(), 0.0, "jvp tangent at -2");
    // And the fix the message suggests works under jit and vmap: 6 and -1 again.
    Fn selected = xs -> Np.where(Np.greater(xs[0], 0.0), Np.multiply(xs[0], xs[0]), Np.negative(xs[0]));
    Check.close(new double[] {6.0, -1.0}, Arrax.jit(Arrax.vmap(Arrax.grad(selected))).apply(NDArray.of(3.0, -2.0)), 0, 0, "where-based grad");
  }

  @Test
  void staticArgumentsAllowJavaIfAndRetraceOnNewValues() {
    AtomicInteger traces = new AtomicInteger();
    Fn scaleOrNegate = xs -> {
      traces.incrementAndGet();
      double s = xs[1].item(); // static: a Java value at trace time
      return s > 0 ? Np.multiply(xs[0], s) : Np.negative(xs[0]);
    };
    Fn jitted = Arrax.jit(scaleOrNegate, 1);
    Check.close(new double[] {2.0, 4.0}, jitted.apply(NDArray.of(1.0, 2.0), NDArray.scalar(2.0)), 0, 0, "s=2");
    Check.close(new double[] {6.0, 8.0}, jitted.apply(NDArray.of(3.0, 4.0), NDArray.scalar(2.0)), 0, 0, "s=2 again");
    assertEquals(1, traces.get(), "same static value and types: one trace");
    Check.close(new double[] {-3.0, -4.0}, jitted.apply(NDArray.of(3.0, 4.0), NDArray.scalar(-1.0)), 0, 0, "s=-1");
    assertEquals(2, traces.get(), "a new static value retraces");
    Check.close(new double[] {1.5, 2.0}, jitted.apply(NDArray.of(3.0, 4.0), NDArray.scalar(0.5)), 0, 0, "s=0.5");
    Check.close(new double[] {-1.0, -2.0}, jitted.apply(NDArray.of(1.0, 2.0), NDArray.scalar(-1.0)), 0, 0, "s=-1 cached");
    assertEquals(3, traces.get(), "s=-1 was cached");
    // Without staticArgnums the same function is a concretization error naming item().
    expect(ConcretizationException.class, "not static", () -> Arrax.jit(scaleOrNegate).apply(NDArray.of(1.0), NDArray.scalar(2.0)),
        "item()", "inside jit", "staticArgnums");
    expect(ArraxException.class, "static argnum out of range", () -> Arrax.jit(scaleOrNegate, 2).apply(NDArray.of(1.0), NDArray.scalar(2.0)),
        "jit:", "static argnum 2", "2 arguments");
  }

  // ---- differentiation ----

  @Test
  void gradAndJvpAndVjpErrors() {
    NDArray x = NDArray.of(0.1, 0.2, 0.3);
    expect(ShapeException.class, "grad non-scalar", () -> Arrax.grad(xs -> Np.sin(xs[0])).apply(x),
        "grad:", "scalar", "f64[3]", "Np.sum", "vjp");
    expect(ShapeException.class, "grad non-scalar f32[2,1]", () -> Arrax.grad(xs -> xs[0]).apply(f32(2, 1)), "grad:", "scalar", "f32[2,1]");
    expect(ArraxException.class, "grad of integer arg", () -> Arrax.grad(xs -> Np.sum(xs[0])).apply(NDArray.ofInts(1, 2, 3)),
        "grad", "argument 0", "i32[3]", "astype(DType.FLOAT64)");
    expect(ArraxException.class, "grad wrt integer arg 1", () -> Arrax.grad(xs -> Np.sum(Np.multiply(xs[0], xs[1])), 1).apply(x, NDArray.ofLongs(1, 2, 3)),
        "grad", "argument 1", "i64[3]", "astype");
    expect(ArraxException.class, "grad argnum out of range", () -> Arrax.grad(xs -> Np.sum(xs[0]), 2).apply(x, x),
        "grad:", "argnum 2", "out of range", "2 arguments");
    // negative argnums count from the end, as in JAX
    Check.same(Arrax.grad(xs -> Np.sum(Np.square(xs[1])), 1).apply(x, x), Arrax.grad(xs -> Np.sum(Np.square(xs[1])), -1).apply(x, x), "grad argnum -1");
    expect(ArraxException.class, "grad argnum too negative", () -> Arrax.grad(xs -> Np.sum(xs[0]), -2).apply(x), "grad:", "argnum -1", "1 arguments");
    expect(ArraxException.class, "valueAndGrad argnum", () -> Arrax.valueAndGrad(xs -> Np.sum(xs[0]), 0, 3).apply(x), "argnum 3");

    expect(ShapeException.class, "jvp tangent shape", () -> Arrax.jvp(xs -> Np.sin(xs[0]), new NDArray[] {x}, new NDArray[] {Np.ones(4)}),
        "jvp:", "tangent 0", "f64[4]", "f64[3]", "match");
    expect(ShapeException.class, "jvp tangent dtype", () -> Arrax.jvp(xs -> Np.sin(xs[0]), new NDArray[] {x}, new NDArray[] {f32(3)}),
        "jvp:", "tangent 0", "f32[3]", "f64[3]", "dtype");
    expect(ArraxException.class, "jvp tangent count", () -> Arrax.jvp(xs -> Np.sin(xs[0]), new NDArray[] {x}, new NDArray[0]),
        "jvp:", "1 primals", "0 tangents");

    Arrax.VjpResult v = Arrax.vjp(xs -> Np.sin(xs[0]), x);
    expect(ShapeException.class, "vjp cotangent shape", () -> v.pullback().apply(Np.ones(4)), "vjp", "cotangent", "f64[4]", "f64[3]");
    expect(ShapeException.class, "vjp cotangent dtype", () -> v.pullback().apply(f32(3)), "vjp", "cotangent", "f32[3]", "f64[3]");
    expect(ShapeException.class, "vjp cotangent rank", () -> v.pullback().apply(NDArray.scalar(1.0)), "vjp", "cotangent", "f64[]", "f64[3]");
    // The right cotangent works: cos(x) * 1.
    Check.close(new double[] {Math.cos(0.1), Math.cos(0.2), Math.cos(0.3)}, v.pullback().apply(Np.ones(3))[0], 1e-15, 0, "pullback of ones");
  }

  // ---- vmap ----

  @Test
  void vmapErrors() {
    Fn add = xs -> Np.add(xs[0], xs[1]);
    NDArray a = Np.ones(3, 2), b = Np.ones(4, 2);
    expect(ArraxException.class, "batch sizes", () -> Arrax.vmap(add).apply(a, b),
        "vmap:", "different sizes", "argument 0 f64[3,2] has size 3", "argument 1 f64[4,2] has size 4", "axis 0");
    expect(ArraxException.class, "batch sizes along axis 1", () -> Arrax.vmap(add, 1, 0).apply(a, b),
        "vmap:", "argument 0 f64[3,2] has size 2 along axis 1", "argument 1 f64[4,2] has size 4 along axis 0");
    expect(ArraxException.class, "in_axes out of range", () -> Arrax.vmap(add, 2, 0).apply(a, a),
        "vmap:", "in_axes[0] = 2", "out of bounds", "argument 0", "f64[3,2]", "rank 2");
    expect(ArraxException.class, "in_axes of a 0-d arg", () -> Arrax.vmap(add, 0, 0).apply(a, NDArray.scalar(1.0)),
        "vmap:", "in_axes[1] = 0", "f64[]", "rank 0");
    expect(ArraxException.class, "wrong number of in_axes", () -> Arrax.vmap(add, 0).apply(a, a),
        "vmap:", "in_axes has 1 entries", "called with 2 arguments", "one axis (or null) per argument");
    expect(ArraxException.class, "no mapped argument", () -> Arrax.vmap(add, new Integer[] {null, null}).apply(a, a),
        "vmap:", "no argument is mapped", "null", "map at least one");
    expect(ArraxException.class, "batched output with out_axes null", () -> Arrax.vmapOut(xs -> Np.sin(xs[0]), null, 0).apply(a),
        "vmap:", "output 0", "batched", "out_axes[0] is null", "give it an axis");
    // out_axes null is fine for an output that does not depend on the mapped input.
    Check.close(new double[] {1.0, 1.0}, Arrax.vmapOut(xs -> Np.ones(2), null, 0).apply(a), 0, 0, "unbatched output");
    expect(ArraxException.class, "out_axes out of range", () -> Arrax.vmapOut(xs -> Np.sin(xs[0]), 3, 0).apply(a),
        "vmap:", "out_axes[0] = 3", "rank 2");
  }

  // ---- escaped tracers ----

  @Test
  void escapedTracers() {
    NDArray m = Np.ones(3, 2);
    Arrax.vmap(xs -> {
      leaked = xs[0];
      return Np.sin(xs[0]);
    }).apply(m);
    int l1 = here(); expect(ArraxException.class, "vmap tracer", () -> Np.add(leaked, 1.0), concat(site(l1), "add:", "escaped", "vmap", "f64[2]", "Return values"));
    int l2 = here(); expect(ArraxException.class, "vmap tracer via method", () -> leaked.mul(m), concat(site(l2), "escaped", "vmap"));
    // Reading its value fails too (as an ArraxException: a ConcretizationException today).
    expectKind(ArraxException.class, "vmap tracer item", () -> leaked.item(), "vmap");

    Arrax.jit(xs -> {
      leaked = xs[0];
      return Np.sin(xs[0]);
    }).apply(NDArray.of(1.0));
    int l3 = here(); expect(ArraxException.class, "jit tracer", () -> Np.exp(leaked), concat(site(l3), "exp:", "escaped", "jit", "f64[1]"));

    Arrax.grad(xs -> {
      leaked = xs[0];
      return Np.sum(Np.sin(xs[0]));
    }).apply(NDArray.of(1.0, 2.0));
    int l4 = here(); expect(ArraxException.class, "grad tracer", () -> Np.sum(leaked), concat(site(l4), "escaped", "grad", "f64[2]"));

    Arrax.makeJaxpr(xs -> {
      leaked = Np.cos(xs[0]);
      return xs[0];
    }, NDArray.scalar(1.0));
    int l5 = here(); expect(ArraxException.class, "makeJaxpr tracer", () -> Lax.add(leaked, leaked), concat(site(l5), "add:", "escaped", "makeJaxpr", "f64[]"));
  }

  // ---- null and arity ----

  @Test
  void nullArgumentsAndWrongArity() {
    NDArray x = NDArray.of(1.0, 2.0);
    int l1 = here(); expect(ArraxException.class, "Np.add(null, x)", () -> Np.add(null, x), concat(site(l1), "add:", "argument 0 is null"));
    int l2 = here(); expect(ArraxException.class, "Np.multiply(x, null)", () -> Np.multiply(x, (NDArray) null), concat(site(l2), "multiply:", "argument 1 is null"));
    int l3 = here(); expect(ArraxException.class, "x.sub(null)", () -> x.sub((NDArray) null), concat(site(l3), "subtract:", "argument 1 is null"));
    int l4 = here(); expect(ArraxException.class, "Np.exp(null)", () -> Np.exp(null), concat(site(l4), "exp:", "argument 0 is null"));
    int l5 = here(); expect(ArraxException.class, "Np.where(c, null, y)", () -> Np.where(Np.greater(x, 0.0), null, x), concat(site(l5), "where:", "argument 1 is null"));
    int l6 = here(); expect(ArraxException.class, "Np.dot(x, null)", () -> Np.dot(x, null), concat(site(l6), "dot:", "argument 1 is null"));
    int l7 = here(); expect(ArraxException.class, "Np.matmul(null, x)", () -> Np.matmul(null, x), concat(site(l7), "matmul:", "argument 0 is null"));
    int l8 = here(); expect(ArraxException.class, "Np.sum(null)", () -> Np.sum(null), concat(site(l8), "sum:", "argument 0 is null"));
    int l9 = here(); expect(ArraxException.class, "Np.reshape(null)", () -> Np.reshape(null, 2), concat(site(l9), "reshape:", "argument 0 is null"));
    int l13 = here(); expect(ArraxException.class, "Np.concatenate(x, null)", () -> Np.concatenate(x, null), concat(site(l13), "concatenate:", "argument 1 is null"));
    int l14 = here(); expect(ArraxException.class, "Np.var(null)", () -> Np.var(null), concat(site(l14), "var:", "argument 0 is null"));
    for (Object[] c : new Object[][] {
        {"softmax", (Executable) () -> Nn.softmax(null)}, {"logSoftmax", (Executable) () -> Nn.logSoftmax(null)},
        {"logsumexp", (Executable) () -> Nn.logsumexp(null)}, {"relu", (Executable) () -> Nn.relu(null)},
        {"sigmoid", (Executable) () -> Nn.sigmoid(null)}, {"gelu", (Executable) () -> Nn.gelu(null)}}) {
      expect(ArraxException.class, "Nn." + c[0] + "(null)", (Executable) c[1], c[0] + ": argument 0 is null", " (at " + SELF + ".");
    }
    int l10 = here(); expect(ArraxException.class, "Lax.add(x, null)", () -> Lax.add(x, null), concat(site(l10), "add:", "argument 1 is null"));
    // Under a transformation: the null comes from the user's function, not the transformation.
    int l11 = here(); expect(ArraxException.class, "null under jit", () -> Arrax.jit(xs -> Np.add(xs[0], (NDArray) null)).apply(x),
        concat(site(l11), "add:", "argument 1 is null"));
    int l12 = here(); expect(ArraxException.class, "null under vmap", () -> Arrax.vmap(xs -> Np.multiply((NDArray) null, xs[0])).apply(Np.ones(2, 2)),
        concat(site(l12), "multiply:", "argument 0 is null"));

    Fn one = Fn.of((NDArray a) -> Np.sin(a));
    expect(ArraxException.class, "Fn.of(1) with 2", () -> one.apply(x, x), "takes 1 argument", "called with 2");
    expect(ArraxException.class, "Fn.of(1) with 0", () -> one.apply(), "takes 1 argument", "called with 0");
    Fn two = Fn.of((NDArray a, NDArray b) -> Np.add(a, b));
    expect(ArraxException.class, "Fn.of(2) with 1", () -> two.apply(x), "takes 2 arguments", "called with 1");
    expect(ArraxException.class, "Fn.of(2) with 1 under grad", () -> Arrax.grad(Fn.of((NDArray a, NDArray b) -> Np.sum(Np.add(a, b)))).apply(x),
        "takes 2 arguments", "called with 1");
    expect(ArraxException.class, "Fn.of(3) with 2 under vmap", () -> Arrax.vmap(Fn.of((a, b, c) -> a)).apply(Np.ones(2, 2), Np.ones(2, 2)),
        "takes 3 arguments", "called with 2");
    Check.close(new double[] {2.0, 4.0}, two.apply(x, x), 0, 0, "Fn.of with the right arity");
  }

  // ---- Program.parse ----

  private static final String GOOD = String.join("\n",
      "{ lambda ; a:f64[3] . let",
      "    b:f64[3] = sin a",
      "    c:f64[] = reduce_sum[axes=(0,)] b",
      "  in (c) }");

  private static String replaceLine(int line, String text) {
    String[] ls = GOOD.split("\n");
    ls[line - 1] = text;
    return String.join("\n", ls);
  }

  @Test
  void programParseErrorsNameTheLine() {
    // The baseline parses and computes sin(1) + sin(2) + sin(3).
    assertEquals(Math.sin(1) + Math.sin(2) + Math.sin(3), Program.parse(GOOD).call(NDArray.of(1.0, 2.0, 3.0))[0].item(), 1e-15, "good program");
    assertEquals(GOOD, Arrax.makeJaxpr(xs -> Np.sum(Np.sin(xs[0])), NDArray.of(1.0, 2.0, 3.0)).toText(), "the printed form parses as written");

    expect(IllegalArgumentException.class, "unknown primitive", () -> Program.parse(replaceLine(2, "    b:f64[3] = frobnicate a")),
        "Program.parse: line 2", "unknown primitive 'frobnicate'", "known:", "sin", "frobnicate a");
    expect(IllegalArgumentException.class, "unknown variable", () -> Program.parse(replaceLine(3, "    c:f64[] = reduce_sum[axes=(0,)] z")),
        "Program.parse: line 3", "unknown variable 'z'");
    expect(IllegalArgumentException.class, "unknown output", () -> Program.parse(replaceLine(4, "  in (q) }")),
        "Program.parse: line 4", "unknown variable 'q'");
    expect(IllegalArgumentException.class, "bad param value", () -> Program.parse(replaceLine(3, "    c:f64[] = reduce_sum[axes=(x,)] b")),
        "Program.parse: line 3", "reduce_sum[axes=(x,)] b");
    expect(IllegalArgumentException.class, "bad param syntax", () -> Program.parse(replaceLine(3, "    c:f64[] = reduce_sum[axes] b")),
        "Program.parse: line 3", "bad parameter 'axes'");
    expect(IllegalArgumentException.class, "missing param", () -> Program.parse(replaceLine(3, "    c:f64[] = reduce_sum[] b")),
        "Program.parse: line 3", "missing parameter 'axes'");
    expect(IllegalArgumentException.class, "unknown param", () -> Program.parse(replaceLine(3, "    c:f64[] = reduce_sum[axes=(0,) keep=true] b")),
        "Program.parse: line 3", "unknown parameters [keep]");
    expect(IllegalArgumentException.class, "int[] without parentheses", () -> Program.parse(replaceLine(3, "    c:f64[] = reduce_sum[axes=0] b")),
        "Program.parse: line 3", "expected (a,b,...)", "'0'");
    expect(IllegalArgumentException.class, "no '='", () -> Program.parse(replaceLine(2, "    b:f64[3] sin a")),
        "Program.parse: line 2", "expected 'outputs = primitive[params] inputs'");
    expect(IllegalArgumentException.class, "variable defined twice", () -> Program.parse(replaceLine(3, "    b:f64[] = reduce_sum[axes=(0,)] b")),
        "Program.parse: line 3", "'b' defined twice");
    expect(IllegalArgumentException.class, "declaration without type", () -> Program.parse(replaceLine(2, "    b = sin a")),
        "Program.parse: line 2", "expected name:type");
    expect(IllegalArgumentException.class, "bad header", () -> Program.parse(replaceLine(1, "lambda a:f64[3]")),
        "Program.parse: line 1", "expected '{ lambda");
    expect(IllegalArgumentException.class, "header without ';'", () -> Program.parse(replaceLine(1, "{ lambda a:f64[3] . let")),
        "Program.parse: line 1", "missing ';'");
    expect(IllegalArgumentException.class, "no in line", () -> Program.parse(GOOD.substring(0, GOOD.lastIndexOf('\n'))),
        "Program.parse:", "missing 'in (...) }'");
    expect(IllegalArgumentException.class, "bad in line", () -> Program.parse(replaceLine(4, "  in (c)")),
        "Program.parse: line 4", "expected 'in (outputs) }'");
  }
}
