package dev.arrax.compile.cpu;

import dev.arrax.ArraxException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.codehaus.janino.SimpleCompiler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles generated kernel source with Janino (as Spark's whole-stage codegen does) and caches the
 * kernel by its normalized source, so equal loops compile once per JVM and are shared across threads
 * and programs. The cache is bounded; the class name carries a kernel id for stack traces and profiles.
 */
public final class KernelCache {
  private static final Logger LOG = LoggerFactory.getLogger(KernelCache.class);
  private static final int MAX_ENTRIES = 4096;
  private static final String CLASS_PLACEHOLDER = "__KERNEL__";
  private static final ConcurrentHashMap<String, Kernel> CACHE = new ConcurrentHashMap<>();
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final AtomicInteger COMPILES = new AtomicInteger();
  private static final AtomicLong COMPILE_NANOS = new AtomicLong();

  /** Set -Darrax.debug.codegen=true to log every generated source. */
  static final boolean DEBUG = Boolean.getBoolean("arrax.debug.codegen");

  private KernelCache() {}

  /** {@code source} must name its class {@value #CLASS_PLACEHOLDER} and implement {@link Kernel}. */
  static Kernel get(String source) {
    Kernel k = CACHE.get(source);
    if (k != null) return k;
    if (CACHE.size() >= MAX_ENTRIES) CACHE.clear();
    return CACHE.computeIfAbsent(source, KernelCache::compile);
  }

  private static Kernel compile(String source) {
    String name = "ArraxKernel" + IDS.incrementAndGet();
    String code = source.replace(CLASS_PLACEHOLDER, name);
    long t0 = System.nanoTime();
    try {
      SimpleCompiler sc = new SimpleCompiler();
      sc.setParentClassLoader(KernelCache.class.getClassLoader());
      sc.cook(code);
      Kernel k = (Kernel) sc.getClassLoader().loadClass(name).getDeclaredConstructor().newInstance();
      long dt = System.nanoTime() - t0;
      COMPILES.incrementAndGet();
      COMPILE_NANOS.addAndGet(dt);
      if (DEBUG) LOG.info("compiled {} in {} ms:\n{}", name, dt / 1_000_000, code);
      else LOG.debug("compiled {} in {} ms", name, dt / 1_000_000);
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
