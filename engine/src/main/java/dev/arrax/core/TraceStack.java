package dev.arrax.core;

import java.util.ArrayList;
import java.util.function.IntFunction;

/** The per-thread stack of active traces. Levels grow upward; nested transformations get higher levels. */
public final class TraceStack {
  private static final ThreadLocal<ArrayList<Trace>> STACK = ThreadLocal.withInitial(ArrayList::new);

  private TraceStack() {}

  /** Pushes a new trace built for the next level. Pair every push with {@link #pop} in a finally block. */
  public static <T extends Trace> T push(IntFunction<T> factory) {
    ArrayList<Trace> s = STACK.get();
    T t = factory.apply(s.size() + 1);
    s.add(t);
    return t;
  }

  /**
   * Removes {@code t}, which must be the top of this thread's stack, and deactivates it.
   * @throws IllegalStateException if it is not the top
   */
  public static void pop(Trace t) {
    ArrayList<Trace> s = STACK.get();
    if (s.isEmpty() || s.get(s.size() - 1) != t) {
      throw new IllegalStateException("internal: trace stack out of order popping " + t + " from " + s);
    }
    s.remove(s.size() - 1);
    t.deactivate();
  }

  private static final ThreadLocal<Trace> DYNAMIC = new ThreadLocal<>();

  /**
   * The staging trace that records every operation, even on concrete arrays (JAX's omnistaging), or
   * null. makeJaxpr and jit set it so that constants built inside the function become equations.
   */
  public static Trace dynamic() {
    Trace t = DYNAMIC.get();
    return t != null && t.isActive() ? t : null;
  }

  /** Sets the dynamic trace and returns the previous one, to be restored in a finally block. */
  public static Trace setDynamic(Trace t) {
    Trace prev = DYNAMIC.get();
    DYNAMIC.set(t);
    return prev;
  }

  /** The innermost transformation running on this thread, or null. */
  public static Trace innermost() {
    ArrayList<Trace> s = STACK.get();
    return s.isEmpty() ? null : s.get(s.size() - 1);
  }
}
