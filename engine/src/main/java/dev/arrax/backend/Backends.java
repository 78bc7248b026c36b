package dev.arrax.backend;

import dev.arrax.ArraxException;
import dev.arrax.compile.Passes;
import dev.arrax.core.EngineLog;
import dev.arrax.ir.Program;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends ({@link java.util.ServiceLoader}) and places programs on them.
 *
 * <ul>
 *   <li>{@code cpu}: the CPU code generator; always present, runs everything.</li>
 *   <li>{@code gpu} (or any other installed backend by name): that backend runs the whole program when it
 *       claims every segment; where it declines one, the program runs on the CPU, logged once at INFO with
 *       the reasons ({@link Executable#explain()} shows them). A backend that is not usable here (no
 *       device, no native library) is an error naming why, raised before anything runs.</li>
 *   <li>{@code auto}: the highest-priority usable backend that claims the whole program, else the CPU,
 *       with one INFO line saying why.</li>
 * </ul>
 * The default backend of {@code Arrax.jit} is the system property {@code arrax.backend} (default {@code cpu}).
 */
public final class Backends {
  /** The backend name {@code "cpu"}: the built-in compiled CPU backend, always available. */
  public static final String CPU = "cpu";
  /**
   * The backend name {@code "auto"}: the highest-priority usable backend that claims the whole program,
   * else the CPU.
   */
  public static final String AUTO = "auto";
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
  private static volatile List<Backend> cached;

  private Backends() {}

  /** The backend name {@code Arrax.jit} uses: {@code -Darrax.backend=cpu|gpu|auto}, default {@code cpu}. */
  public static String defaultName() {
    return System.getProperty("arrax.backend", CPU).trim().toLowerCase(Locale.ROOT);
  }

  /** Every installed backend, highest priority first (the CPU last). */
  public static List<Backend> all() {
    List<Backend> b = cached;
    if (b != null) return b;
    synchronized (Backends.class) {
      if (cached != null) return cached;
      Map<String, Backend> byName = new LinkedHashMap<>();
      List<ClassLoader> loaders = new ArrayList<>();
      loaders.add(Backends.class.getClassLoader());
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null && context != Backends.class.getClassLoader()) loaders.add(context);
      for (ClassLoader cl : loaders) {
        for (Backend found : ServiceLoader.load(Backend.class, cl)) byName.putIfAbsent(found.name(), found);
      }
      if (!byName.containsKey(CPU)) throw new IllegalStateException("the engine's cpu backend is not registered (META-INF/services/"
          + Backend.class.getName() + " missing from the classpath: a shaded jar must merge service files)");
      List<Backend> list = new ArrayList<>(byName.values());
      list.sort(Comparator.comparingInt(Backend::priority).reversed());
      cached = List.copyOf(list);
      return cached;
    }
  }

  /** The backend with this name, or an error listing the installed ones. */
  public static Backend byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Backend b : all()) if (b.name().equals(n)) return b;
    List<String> names = new ArrayList<>();
    for (Backend b : all()) names.add(b.name());
    String hint = n.equals("gpu") ? " (the GPU backend is the arrax-gpu-rapids module; put it and ai.rapids:cudf on the classpath)" : "";
    throw new ArraxException("no backend named '" + name + "'; installed: " + names + " and 'auto'" + hint);
  }

  /**
   * Checks a backend name before any work runs: {@code cpu} and {@code auto} always pass; another name
   * must be installed and usable here, else an error says why and what to use instead.
   */
  public static void requireUsable(String requested) {
    String n = requested.trim().toLowerCase(Locale.ROOT);
    if (n.equals(AUTO) || n.equals(CPU)) return;
    Backend b = byName(n);
    Claim a = b.availability();
    if (!a.accepted()) {
      throw new ArraxException("backend '" + n + "' is not usable here: " + a.reason()
          + ". Use backend 'auto' to run on the CPU where it is not usable, or 'cpu'.");
    }
  }

  /**
   * Holds the engine's background warm-up ({@code arrax-warmup}, which compiles and runs small programs until HotSpot
   * has compiled the shared vector code) off until the returned action runs: for work of the caller's own that
   * competes for the same cores, such as a Spark task streaming rows through a compiled program. The warm-up already
   * waits while a program compiles or runs; this covers the time between kernel runs. Run the action once the work
   * is done (running it again does nothing); until then the warm-up waits.
   */
  public static Runnable holdWarmup() {
    return dev.arrax.compile.cpu.Warmup.holdOff();
  }

  /** Compiles a traced program on the CPU backend: the shortcut every backend uses for what it hands back. */
  public static Executable compileOnCpu(Program program) {
    ProgramPlan plan = ProgramPlan.of(Passes.optimize(program));
    return byName(CPU).compile(cpuPlacement(plan, CPU, "", List.of()));
  }

  /** Optimizes, plans and compiles a traced program on the requested backend. */
  public static Executable compile(Program program, String requested) {
    return compile(ProgramPlan.of(Passes.optimize(program)), requested);
  }

  /** Compiles a plan on the requested backend ({@code cpu}, {@code auto} or an installed backend's name). */
  public static Executable compile(ProgramPlan plan, String requested) {
    Placement placement = place(plan, requested);
    Backend chosen = byName(placement.backend());
    if (!placement.note().isEmpty() && LOGGED.add(placement.note())) EngineLog.of(Backends.class).info("arrax: {}", placement.note());
    if (chosen.name().equals(CPU)) return chosen.compile(placement);
    try {
      return chosen.compile(placement);
    } catch (RuntimeException e) {
      if (!requested.trim().equalsIgnoreCase(AUTO)) throw e;
      String why = "backend " + chosen.name() + " failed to compile the program (" + e + "); it runs on the cpu";
      EngineLog.of(Backends.class).info("arrax: {}", why);
      return byName(CPU).compile(cpuPlacement(plan, requested, why, List.of()));
    }
  }

  /**
   * Decides where each segment runs, without compiling: the {@link Placement} whose {@code explain()}
   * prints the plan.
   */
  public static Placement place(ProgramPlan plan, String requested) {
    String n = requested.trim().toLowerCase(Locale.ROOT);
    if (n.equals(CPU)) return cpuPlacement(plan, n, "", List.of());
    List<Backend> candidates = new ArrayList<>();
    if (n.equals(AUTO)) {
      for (Backend b : all()) if (!b.name().equals(CPU)) candidates.add(b);
    } else {
      requireUsable(n);
      candidates.add(byName(n));
    }
    List<String> notes = new ArrayList<>();
    List<Map<Segment, String>> declinesPerBackend = new ArrayList<>();
    for (Backend b : candidates) {
      Claim available = b.availability();
      if (!available.accepted()) {
        notes.add(b.name() + " not usable: " + available.reason());
        continue;
      }
      Map<Segment, String> declined = new LinkedHashMap<>();
      for (Segment s : plan.segments()) {
        Claim c = safeClaim(b, s, plan);
        if (!c.accepted()) declined.put(s, b.name() + ": will not run on " + b.name() + " because " + c.reason());
      }
      if (declined.isEmpty()) {
        Claim whole = b.claimProgram(plan);
        if (whole.accepted()) {
          List<Placement.Decision> d = new ArrayList<>();
          for (Segment s : plan.segments()) d.add(new Placement.Decision(s, b.name(), List.of()));
          return new Placement(plan, n, b.name(), d, "");
        }
        notes.add(b.name() + " declined the program: " + whole.reason());
        continue;
      }
      declinesPerBackend.add(declined);
      notes.add(b.name() + " declined " + declined.size() + " of " + plan.segments().size() + " segments (first: "
          + declined.values().iterator().next() + ")");
    }
    String note = (n.equals(AUTO) ? "auto" : n) + ": the program runs on the cpu"
        + (notes.isEmpty() ? " (no other backend is installed)" : " because " + String.join("; ", notes));
    return cpuPlacement(plan, n, note, declinesPerBackend);
  }

  private static Claim safeClaim(Backend b, Segment s, ProgramPlan plan) {
    try {
      return b.claim(s, plan);
    } catch (RuntimeException e) {
      return Claim.no("its planner failed: " + e);
    }
  }

  private static Placement cpuPlacement(ProgramPlan plan, String requested, String note, List<Map<Segment, String>> declines) {
    List<Placement.Decision> d = new ArrayList<>();
    for (Segment s : plan.segments()) {
      List<String> why = new ArrayList<>();
      for (Map<Segment, String> m : declines) if (m.containsKey(s)) why.add(m.get(s));
      d.add(new Placement.Decision(s, CPU, why));
    }
    return new Placement(plan, requested, CPU, d, note);
  }
}
