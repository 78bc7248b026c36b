package dev.arrax;

import dev.arrax.backend.Backends;
import dev.arrax.backend.Executable;
import dev.arrax.compile.Passes;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Tracer;
import dev.arrax.ir.Program;
import dev.arrax.staging.Staging;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * jit: traces a function once per input signature (types of the traced arguments, values of the
 * static ones) into a {@link Program}, compiles it on a backend ({@link Backends#compile}: optimized,
 * planned into segments, each claimed by the backend; the CPU's fused Janino-generated loops by default)
 * and caches the {@link Executable}. Inside differentiation or vmap the function is inlined into
 * the enclosing trace, so custom rules and stop_gradient keep their meaning; inside makeJaxpr or an
 * enclosing jit the optimized program is staged, so {@code makeJaxpr(jit(f))} shows what runs.
 */
final class Jit {
  private Jit() {}

  static MultiFn of(MultiFn f, int[] staticArgnums) {
    return of(f, staticArgnums, null);
  }

  /** {@code backend}: a backend name ({@code cpu}, {@code gpu}, {@code auto}), or null for {@link Backends#defaultName()} at each compile. */
  static MultiFn of(MultiFn f, int[] staticArgnums, String backend) {
    if (backend != null) Backends.requireUsable(backend);
    Cache cache = new Cache(f, staticArgnums.clone(), backend);
    return cache::call;
  }

  static final class Cache {
    private final MultiFn f;
    private final int[] statics;
    private final String backend;
    private final ConcurrentHashMap<List<Object>, Executable> programs = new ConcurrentHashMap<>();
    private final AtomicInteger traces = new AtomicInteger();

    Cache(MultiFn f, int[] statics, String backend) {
      this.f = f;
      this.statics = statics;
      this.backend = backend;
    }

    NDArray[] call(NDArray... args) {
      Arrax.checkArgs("jit", args);
      for (int s : statics) {
        if (s < 0 || s >= args.length) throw new ArraxException("jit: static argnum " + s + " is out of range for " + args.length + " arguments");
        if (!(args[s] instanceof ConcreteArray)) {
          throw new ArraxException("jit: static argument " + s + " must be a concrete array, but it is traced (" + args[s].type()
              + "); static arguments cannot depend on the inputs of an enclosing transformation");
        }
      }
      dev.arrax.core.Trace top = null;
      for (NDArray a : args) {
        if (a instanceof Tracer t && (top == null || t.trace().level() > top.level())) top = t.trace();
      }
      if (top != null) {
        if (!(top instanceof dev.arrax.staging.StagingTrace)) return f.apply(args);
        List<NDArray> dyn = new ArrayList<>();
        for (int i = 0; i < args.length; i++) if (!isStatic(i)) dyn.add(args[i]);
        return Passes.optimize(trace(args)).call(dyn.toArray(new NDArray[0]));
      }
      List<Object> key = new ArrayList<>();
      List<NDArray> dynamic = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        if (isStatic(i)) {
          key.add(args[i].type());
          key.add(staticKey(args[i]));
        } else {
          key.add(args[i].type());
          dynamic.add(args[i]);
        }
      }
      String on = backend != null ? backend : Backends.defaultName();
      key.add(on);
      Executable p = programs.computeIfAbsent(key, k -> Backends.compile(trace(args), on));
      return p.run(dynamic.toArray(new NDArray[0]));
    }

    /**
     * A static argument's exact content: integers by value (2^53 and 2^53 + 1 are different programs),
     * floats by their bits (so -0.0 and 0.0, and NaNs, stay apart as the traced Java code may see them).
     */
    private static Object staticKey(NDArray a) {
      if (!a.dtype().isFloating()) return Arrays.toString(a.toLongArray());
      double[] d = a.toDoubleArray();
      long[] bits = new long[d.length];
      for (int k = 0; k < d.length; k++) bits[k] = Double.doubleToRawLongBits(d[k]);
      return Arrays.toString(bits);
    }

    private Program trace(NDArray[] args) {
      traces.incrementAndGet();
      List<ArrayType> types = new ArrayList<>();
      for (int i = 0; i < args.length; i++) if (!isStatic(i)) types.add(args[i].type());
      return Staging.trace("jit", types.toArray(new ArrayType[0]), in -> {
        NDArray[] full = new NDArray[args.length];
        for (int i = 0, j = 0; i < args.length; i++) full[i] = isStatic(i) ? args[i] : in[j++];
        try {
          return f.apply(full);
        } catch (ArrayIndexOutOfBoundsException e) {
          // The function read an argument past the ones passed: name the call, not an index into an array.
          // Only an index read directly in the user's lambda body (a[1] in a -> ...); anything deeper is not about arguments.
          if (e.getStackTrace().length == 0 || !e.getStackTrace()[0].getMethodName().startsWith("lambda$")) throw e;
          throw new ArraxException("jit: the function reads more arguments than the " + args.length + " it was called with "
              + Arrays.toString(types(args)) + " (" + e.getMessage() + "); pass every argument it uses", e);
        }
      });
    }

    private static ArrayType[] types(NDArray[] args) {
      ArrayType[] t = new ArrayType[args.length];
      for (int i = 0; i < t.length; i++) t[i] = args[i].type();
      return t;
    }

    private boolean isStatic(int i) {
      for (int s : statics) if (s == i) return true;
      return false;
    }
  }
}
