package dev.arrax;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A pure array function, the unit every transformation takes and returns:
 * {@code Fn f = xs -> Np.sum(Np.tanh(xs[0]))}.
 *
 * <p>The abstract method takes the arguments as one array ({@link #call}), so a lambda is written the same
 * way in Java ({@code a -> Np.exp(a[0])}) and in Scala 2.13 ({@code val f: Fn = a => Np.exp(a(0))}, where
 * {@code a} is an {@code Array[NDArray]}); callers use the varargs {@link #apply}. {@link #of(Function)},
 * {@link #of(BiFunction)} and {@link #of(Ternary)} adapt one-, two- and three-argument lambdas:
 * {@code Fn.of((x: NDArray) => Np.exp(x))}.
 */
@FunctionalInterface
public interface Fn {
  /** The function of all its arguments as one array: what a lambda implements. */
  NDArray call(NDArray[] args);

  /** Applies the function: {@code f.apply(x, w)}. */
  default NDArray apply(NDArray... args) {
    return call(args);
  }

  /** Adapts a one-argument lambda. */
  static Fn of(Function<NDArray, NDArray> f) {
    return args -> {
      Arity.check(1, args);
      return f.apply(args[0]);
    };
  }

  /** Adapts a two-argument lambda. */
  static Fn of(BiFunction<NDArray, NDArray, NDArray> f) {
    return args -> {
      Arity.check(2, args);
      return f.apply(args[0], args[1]);
    };
  }

  /** Adapts a three-argument lambda. */
  static Fn of(Ternary f) {
    return args -> {
      Arity.check(3, args);
      return f.apply(args[0], args[1], args[2]);
    };
  }

  /** A three-argument array function (Java has no TriFunction). */
  @FunctionalInterface
  interface Ternary {
    /** The function of its three arguments. */
    NDArray apply(NDArray a, NDArray b, NDArray c);
  }

  /** Argument-count check shared by the adapters. */
  final class Arity {
    private Arity() {}

    static void check(int expected, NDArray[] args) {
      if (args.length != expected) {
        throw new ArraxException("function takes " + expected + " argument" + (expected == 1 ? "" : "s") + " but was called with " + args.length);
      }
    }
  }
}
