package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** jit's cache key: static arguments by exact value. */
class JitCacheTest {
  /** int64 statics 2^53 and 2^53 + 1 are the same double; they must still be two programs with two answers. */
  @Test void int64StaticsAboveTwoToThe53AreDistinctKeys() {
    AtomicInteger traces = new AtomicInteger();
    Fn addStatic = a -> {
      traces.incrementAndGet();
      long s = a[1].toLongArray()[0];
      return Np.add(a[0], NDArray.ofLongs(s));
    };
    Fn jitted = Arrax.jit(addStatic, 1);
    long big = 1L << 53;
    NDArray zero = NDArray.ofLongs(0);
    assertEquals(big, jitted.apply(zero, NDArray.ofLongs(big)).toLongArray()[0]);
    assertEquals(big + 1, jitted.apply(zero, NDArray.ofLongs(big + 1)).toLongArray()[0]);
    assertEquals(2, traces.get());
    assertEquals(big + 1, jitted.apply(zero, NDArray.ofLongs(big + 1)).toLongArray()[0]);
    assertEquals(2, traces.get(), "the same static value is a cache hit");
  }

  /** A function of two arguments called with one: a clear error, not an ArrayIndexOutOfBoundsException. */
  @Test void tooFewArgumentsNameTheCall() {
    Fn twoArgs = Arrax.jit(a -> Np.add(a[0], a[1]));
    ArraxException e = org.junit.jupiter.api.Assertions.assertThrows(ArraxException.class, () -> twoArgs.apply(NDArray.of(1.0f)));
    assertEquals("jit: the function reads more arguments than the 1 it was called with [f32[1]] (Index 1 out of bounds for length 1);"
        + " pass every argument it uses", e.getMessage());
    assertEquals(3.0, twoArgs.apply(NDArray.of(1.0f), NDArray.of(2.0f)).item());
  }

  /** 0.0 and -0.0 compare equal as doubles but a traced Java branch can tell them apart (1/x). */
  @Test void floatStaticsAreKeyedByTheirBits() {
    Fn signOfZero = a -> Np.multiply(a[0], 1.0 / a[1].item() > 0 ? 1.0 : -1.0);
    Fn jitted = Arrax.jit(signOfZero, 1);
    NDArray one = NDArray.of(1.0);
    assertEquals(1.0, jitted.apply(one, NDArray.scalar(0.0)).item());
    assertEquals(-1.0, jitted.apply(one, NDArray.scalar(-0.0)).item());
  }
}
