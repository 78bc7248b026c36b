package dev.arrax.compile.cpu;

import dev.arrax.ArraxException;
import dev.arrax.core.EngineLog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.codehaus.commons.compiler.util.reflect.ByteArrayClassLoader;
import org.codehaus.janino.ClassLoaderIClassLoader;
import org.codehaus.janino.IClassLoader;
import org.codehaus.janino.Java;
import org.codehaus.janino.Parser;
import org.codehaus.janino.Scanner;
import org.codehaus.janino.UnitCompiler;
import org.codehaus.janino.util.ClassFile;

/**
 * Compiles generated kernel source with Janino (as Spark's whole-stage codegen does) and caches the
 * kernel by its normalized source, so equal loops compile once per JVM and are shared across threads
 * and programs. The class name carries a kernel id for stack traces and profiles.
 *
 * <p>The cache is a bounded LRU ({@code -Darrax.kernelCache.size}, default {@value #DEFAULT_MAX_ENTRIES}
 * kernels): a process that compiles an unbounded stream of shapes or programs keeps only the recently used
 * kernels. Each kernel class is defined by a class loader of its own (one Janino compile each), and nothing
 * here keeps an evicted kernel, so once no compiled program uses it its class and loader are unloaded and
 * metaspace stays bounded.
 */
public final class KernelCache {
  static final int DEFAULT_MAX_ENTRIES = 1024;
  private static volatile int maxEntries = sizeProperty("arrax.kernelCache.size", DEFAULT_MAX_ENTRIES);
  private static final String CLASS_PLACEHOLDER = "__KERNEL__";
  /** Access-ordered: the eldest entry is the least recently used. Guarded by itself; compiles run outside the lock. */
  private static final LinkedHashMap<String, Slot> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
      if (size() <= maxEntries) return false;
      EVICTIONS.incrementAndGet();
      return true;
    }
  };
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final AtomicInteger COMPILES = new AtomicInteger();
  private static final AtomicLong EVICTIONS = new AtomicLong();
  private static final AtomicLong COMPILE_NANOS = new AtomicLong();

  /** Set -Darrax.debug.codegen=true to log every generated source. */
  static final boolean DEBUG = Boolean.getBoolean("arrax.debug.codegen");

  private KernelCache() {}

  /** A positive integer system property, or {@code def}; anything else is a clear error at first use. */
  public static int sizeProperty(String key, int def) {
    String v = System.getProperty(key);
    if (v == null) return def;
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("-D" + key + "=" + v + " is not a positive integer (a number of cache entries, default " + def + ")");
  }

  /** {@code source} must name its class {@value #CLASS_PLACEHOLDER} and implement {@link Kernel}. */
  static Kernel get(String source) {
    Slot slot;
    synchronized (CACHE) {
      slot = CACHE.get(source);
      if (slot == null) {
        slot = new Slot();
        CACHE.put(source, slot);
      }
    }
    return slot.get(source);
  }

  /** The kernel compiled from {@code source} if the cache holds it (compiled), else null; never compiles. */
  static Kernel peek(String source) {
    Slot slot;
    synchronized (CACHE) {
      slot = CACHE.get(source);
    }
    return slot == null ? null : slot.compiled();
  }

  /** One cached kernel, compiled by the first thread that asks while others wait for it (not for the whole cache). */
  private static final class Slot {
    private Kernel kernel;

    synchronized Kernel compiled() {
      return kernel;
    }

    synchronized Kernel get(String source) {
      if (kernel == null) {
        try {
          kernel = compile(source);
        } catch (RuntimeException e) {
          synchronized (CACHE) {
            CACHE.remove(source, this);
          }
          throw e;
        }
      }
      return kernel;
    }
  }

  /**
   * Sets the cache's bound (as {@code -Darrax.kernelCache.size} does), evicting the least recently used kernels
   * beyond it now. For tests and long-running services that compile many shapes.
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static void setMaxEntries(int n) {
    if (n < 1) throw new IllegalArgumentException("KernelCache.setMaxEntries: the bound must be >= 1, got " + n);
    synchronized (CACHE) {
      maxEntries = n;
      var it = CACHE.entrySet().iterator();
      while (CACHE.size() > n && it.hasNext()) {
        it.next();
        it.remove();
        EVICTIONS.incrementAndGet();
      }
    }
  }

  /** The cache's bound: at most this many kernels are kept. */
  public static int maxEntries() { return maxEntries; }

  /** How many kernels the cache holds now. */
  public static int size() {
    synchronized (CACHE) {
      return CACHE.size();
    }
  }

  /** How many kernels were evicted (least recently used first) to stay within the bound. */
  public static long evictionCount() { return EVICTIONS.get(); }

  /**
   * Janino's views of the classes kernels use (the Vector API, VectorMath, Kernel), kept between compiles: a
   * {@code SimpleCompiler} builds a new one per compile and reflects over {@code FloatVector}'s hundreds of methods
   * again each time, which was ~40% of a warm compile (9.5 vs 5.5 ms a kernel). A compile takes one (Janino's class
   * loaders are not made for concurrent use) and gives it back; there are as many as compiles ever ran at once, at most
   * {@value #JANINO_VIEWS} kept. They see only the engine's class loader, never a kernel class, so evicted kernels
   * still unload; and they live in this class, not in thread-locals, so no executor thread pins the engine's loader.
   */
  private static final java.util.concurrent.ConcurrentLinkedQueue<IClassLoader> JANINO_CLASSES = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private static final int JANINO_VIEWS = 4;

  private static Kernel compile(String source) {
    String name = "ArraxKernel" + IDS.incrementAndGet();
    String code = source.replace(CLASS_PLACEHOLDER, name);
    long t0 = System.nanoTime();
    try {
      Java.AbstractCompilationUnit unit = new Parser(new Scanner(null, new java.io.StringReader(code))).parseAbstractCompilationUnit();
      java.util.List<ClassFile> files = new java.util.ArrayList<>();
      IClassLoader classes = JANINO_CLASSES.poll();
      if (classes == null) classes = new ClassLoaderIClassLoader(KernelCache.class.getClassLoader());
      try {
        new UnitCompiler(unit, classes).compileUnit(false, false, false, files);
      } finally {
        if (JANINO_CLASSES.size() < JANINO_VIEWS) JANINO_CLASSES.offer(classes);
      }
      Map<String, byte[]> bytes = new java.util.HashMap<>();
      for (ClassFile f : files) bytes.put(f.getThisClassName(), f.toByteArray());
      ClassLoader loader = new ByteArrayClassLoader(bytes, KernelCache.class.getClassLoader()); // one per kernel, so it can unload
      Kernel k = (Kernel) loader.loadClass(name).getDeclaredConstructor().newInstance();
      long dt = System.nanoTime() - t0;
      COMPILES.incrementAndGet();
      COMPILE_NANOS.addAndGet(dt);
      // counts and times: compileCount() and compileMillis(); a log call here would initialize logging on a first call
      if (DEBUG) EngineLog.of(KernelCache.class).info("compiled {} in {} ms:\n{}", name, dt / 1_000_000, code);
      return k;
    } catch (Exception e) {
      throw new ArraxException("internal: generated kernel " + name + " does not compile: " + e.getMessage() + "\n" + numbered(code), e);
    }
  }

  private static String numbered(String code) {
    StringBuilder sb = new StringBuilder();
    String[] lines = code.split("\n");
    for (int i = 0; i < lines.length; i++) sb.append(String.format("%4d  %s%n", i + 1, lines[i]));
    return sb.toString();
  }

  /** Number of kernels compiled by this JVM so far. */
  public static int compileCount() { return COMPILES.get(); }

  /** Total time spent compiling kernels, in milliseconds. */
  public static long compileMillis() { return COMPILE_NANOS.get() / 1_000_000; }

  static String placeholder() { return CLASS_PLACEHOLDER; }
}
