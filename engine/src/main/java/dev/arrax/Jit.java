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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * jit: traces a function once per input signature (types of the traced arguments, values of the
 * static ones) into a {@link Program}, compiles it on a backend ({@link Backends#compile}: optimized,
 * planned into segments, each claimed by the backend; the CPU's fused Janino-generated loops by default)
 * and caches the {@link Executable} (at most {@code -Darrax.jit.cacheSize} programs per function, default 512,
 * least recently used dropped first). Inside differentiation or vmap the function is inlined into
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
    // A process that jits pays Janino's first-compile cost once: overlap it with the work before the first call.
    dev.arrax.compile.cpu.Warmup.startInBackground();
    Cache cache = new Cache(f, staticArgnums.clone(), backend);
    return cache::call;
  }

  /** Default bound on the programs one jitted function keeps compiled ({@code -Darrax.jit.cacheSize}). */
  static final int DEFAULT_MAX_PROGRAMS = 512;
  private static volatile int maxPrograms = dev.arrax.compile.cpu.KernelCache.sizeProperty("arrax.jit.cacheSize", DEFAULT_MAX_PROGRAMS);

  /** The most programs (signatures) one jitted function keeps compiled; the least recently used beyond it are dropped. */
  static int maxPrograms() { return maxPrograms; }

  /** Sets {@link #maxPrograms()} for functions' next compiles (as {@code -Darrax.jit.cacheSize} does). */
  static void setMaxPrograms(int n) {
    if (n < 1) throw new IllegalArgumentException("jit cache size must be >= 1, got " + n);
    maxPrograms = n;
  }

  static final class Cache {
    private final MultiFn f;
    private final int[] statics;
    private final String backend;
    /**
     * Compiled programs by signature, least recently used first, at most {@link #maxPrograms()}: a function called
     * with ever new shapes or static values keeps the recent ones instead of every program it ever compiled.
     */
    private final LinkedHashMap<List<Object>, Slot> programs = new LinkedHashMap<>(16, 0.75f, true) {
      @Override protected boolean removeEldestEntry(Map.Entry<List<Object>, Slot> eldest) {
        return size() > maxPrograms();
      }
    };
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
      Slot slot;
      synchronized (programs) {
        slot = programs.get(key);
        if (slot == null) {
          slot = new Slot();
          programs.put(key, slot);
        }
      }
      Executable p;
      synchronized (slot) {
        // Compiled once per signature, by the first caller; other signatures compile meanwhile.
        if (slot.executable == null) {
          try {
            slot.executable = Backends.compile(trace(args), on);
          } catch (RuntimeException | Error e) {
            synchronized (programs) {
              programs.remove(key, slot);
            }
            throw e;
          }
        }
        p = slot.executable;
      }
      return p.run(dynamic.toArray(new NDArray[0]));
    }

    /** How many programs this function holds compiled now (for tests and diagnostics). */
    int cachedPrograms() {
      synchronized (programs) {
        return programs.size();
      }
    }

    private static final class Slot {
      Executable executable;
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
