package dev.arrax.compile.cpu;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.compile.Passes;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.EngineLog;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.Primitives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Program} compiled for the CPU: optimized ({@link Passes}), then planned as a sequence of
 * steps: fused elementwise/reduction loop nests generated as Java source and compiled with Janino,
 * matrix products on a dedicated kernel, zero-copy reshapes, and the reference evaluator for the rest
 * (logged once per primitive, never silently). Immutable and safe to run from many threads.
 */
public final class CompiledProgram {
  private static final Set<String> LOGGED_FALLBACKS = Collections.synchronizedSet(new java.util.HashSet<>());
  private static final java.util.concurrent.atomic.AtomicLong FALLBACKS = new java.util.concurrent.atomic.AtomicLong();

  /** How many equations, over all programs compiled in this JVM, were planned on the reference evaluator. */
  public static long fallbackCount() { return FALLBACKS.get(); }

  private final Program optimized;
  private final List<Step> steps;
  private final int slotCount;
  private final int[] inputSlots;
  private final int[] outputSlots;
  private final NDArray[] initial;
  /** Per step, the slots no later step reads: dropped from the run's environment once the step is done. */
  private final int[][] deadAfter;

  private CompiledProgram(Program optimized, List<Step> steps, int slotCount, int[] inputSlots, int[] outputSlots, NDArray[] initial) {
    this.optimized = optimized;
    this.steps = List.copyOf(steps);
    this.slotCount = slotCount;
    this.inputSlots = inputSlots;
    this.outputSlots = outputSlots;
    this.initial = initial;
    this.deadAfter = deadAfter(this.steps, slotCount, outputSlots);
  }

  /**
   * Liveness: an intermediate is released as soon as its last reader has run, so a program's peak memory
   * is what is live at once, not everything it ever computed (a rematerialized backward pass then really
   * stores less). Program outputs are kept; slots no step lists (a kernel's private scratch) are kept.
   */
  private static int[][] deadAfter(List<Step> steps, int slotCount, int[] outputSlots) {
    int[] last = new int[slotCount];
    java.util.Arrays.fill(last, -1);
    for (int i = 0; i < steps.size(); i++) {
      for (int s : steps.get(i).inputSlots()) last[s] = i;
      for (int s : steps.get(i).outputSlots()) last[s] = Math.max(last[s], i);
    }
    for (int s : outputSlots) last[s] = -1;
    List<List<Integer>> dead = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) dead.add(new ArrayList<>());
    for (int s = 0; s < slotCount; s++) if (last[s] >= 0) dead.get(last[s]).add(s);
    int[][] r = new int[steps.size()][];
    for (int i = 0; i < r.length; i++) r[i] = dead.get(i).stream().mapToInt(Integer::intValue).toArray();
    return r;
  }

  /**
   * Optimizes {@code program} ({@link Passes#optimize}) and compiles it for the CPU: fused elementwise
   * kernels generated and compiled with Janino, matmul and interpreted steps for the rest.
   */
  public static CompiledProgram compile(Program program) {
    return compileOptimized(Passes.optimize(program));
  }

  /** Plans and generates code for a program that {@link Passes#optimize} already optimized. */
  public static CompiledProgram compileOptimized(Program optimized) {
    boolean user = Warmup.enterWork();
    try {
      return new Planner(optimized).plan();
    } finally {
      if (user) Warmup.exitWork();
    }
  }

  /**
   * The most environment slots holding arrays at once during a run (inputs, constants and literals
   * included): what liveness keeps a long program's memory down to. For tests and diagnostics.
   */
  int maxLiveSlots() {
    boolean[] live = new boolean[slotCount];
    int n = 0;
    for (int s = 0; s < slotCount; s++) if (initial[s] != null && !live[s]) { live[s] = true; n++; }
    for (int s : inputSlots) if (!live[s]) { live[s] = true; n++; }
    int max = n;
    for (int i = 0; i < steps.size(); i++) {
      for (int s : steps.get(i).outputSlots()) if (!live[s]) { live[s] = true; n++; }
      max = Math.max(max, n);
      for (int s : deadAfter[i]) if (live[s]) { live[s] = false; n--; }
    }
    return max;
  }

  /** The program after optimization, as it runs. */
  public Program optimized() { return optimized; }

  /** One line per step, for diagnostics and tests. */
  public List<String> describeSteps() {
    List<String> r = new ArrayList<>();
    for (Step s : steps) r.add(s.describe());
    return r;
  }

  /**
   * Runs the program on concrete arrays of its input types and returns its outputs.
   * @throws ArraxException if the count or the types of the arguments do not match
   */
  public NDArray[] run(NDArray... args) {
    if (args.length != inputSlots.length) {
      throw new ArraxException("compiled program takes " + inputSlots.length + " arguments, got " + args.length);
    }
    NDArray[] env = initial.clone();
    List<Var> ins = optimized.inVars();
    for (int i = 0; i < args.length; i++) {
      if (!(args[i] instanceof ConcreteArray) || !args[i].type().equals(ins.get(i).type())) {
        throw new ArraxException("compiled program argument " + i + " must be a concrete " + ins.get(i).type() + ", got " + args[i]);
      }
      env[inputSlots[i]] = args[i];
    }
    boolean user = Warmup.enterWork();
    try {
      for (int i = 0; i < steps.size(); i++) {
        steps.get(i).run(env);
        for (int s : deadAfter[i]) env[s] = null;
      }
    } finally {
      if (user) Warmup.exitWork();
    }
    NDArray[] out = new NDArray[outputSlots.length];
    for (int i = 0; i < out.length; i++) out[i] = env[outputSlots[i]];
    return out;
  }

  /** Decides the steps: which equations fuse, which run on kernels, which are interpreted. */
  private static final class Planner {
    private final Program p;
    private final Map<Var, Integer> slot = new IdentityHashMap<>();
    private final List<NDArray> initialValues = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<FusedGroup> groups = new ArrayList<>();
    /** Step index that produces a variable; -1 for inputs and constants. */
    private final Map<Var, Integer> producedAt = new IdentityHashMap<>();
    private final Map<Var, FusedGroup> groupOf = new IdentityHashMap<>();
    /** broadcast_in_dim equations not (yet) materialized, read through index maps by fused groups. */
    private final Map<Var, Eqn> views = new IdentityHashMap<>();
    private final Set<Var> materializedViews = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Var, List<Eqn>> consumers = new IdentityHashMap<>();
    private final Set<Var> programOutputs = Collections.newSetFromMap(new IdentityHashMap<>());

    Planner(Program p) {
      this.p = p;
    }

    CompiledProgram plan() {
      for (Var v : p.inVars()) define(v, -1);
      for (int i = 0; i < p.constVars().size(); i++) {
        define(p.constVars().get(i), -1);
        initialValues.set(slot.get(p.constVars().get(i)), p.constValues().get(i));
      }
      for (Eqn e : p.eqns()) {
        for (Atom a : e.inputs()) if (a instanceof Var v) consumers.computeIfAbsent(v, k -> new ArrayList<>()).add(e);
      }
      for (Atom a : p.outs()) if (a instanceof Var v) programOutputs.add(v);

      FusedGroup current = null;
      for (Eqn e : p.eqns()) {
        if (e.primitive() == Primitives.BROADCAST_IN_DIM && isFloatOrBool(e.outputs().get(0).type().dtype())) {
          views.put(e.outputs().get(0), e);
          continue;
        }
        if (Fusion.isFusable(e)) {
          if (current != null && tryJoin(current, e)) continue;
          DType ft = Fusion.floatType(e);
          if (ft != null) {
            FusedGroup g = new FusedGroup(Fusion.iterationShape(e), ft, steps.size());
            steps.add(null);
            if (tryJoin(g, e)) {
              groups.add(g);
              current = g;
              continue;
            }
            steps.remove(steps.size() - 1);
          }
        }
        if (current != null && independentOf(current, e)) {
          // e does not need the open group: run it first and keep the group open, so that for example a
          // small matmul of weights does not split one fused loop into two.
          scheduleSingle(e, current.stepIndex);
          current.stepIndex++;
          for (Var v : current.produced) producedAt.put(v, current.stepIndex);
          continue;
        }
        current = null;
        scheduleSingle(e, steps.size());
      }
      for (Atom a : p.outs()) if (a instanceof Var v) materializeIfView(v);
      finishGroups();
      int[] in = p.inVars().stream().mapToInt(slot::get).toArray();
      int[] out = new int[p.outs().size()];
      for (int i = 0; i < out.length; i++) out[i] = slotOf(p.outs().get(i));
      java.util.Set<Integer> outSlots = new java.util.HashSet<>();
      for (int o : out) outSlots.add(o);
      return new CompiledProgram(p, RowBlockedSequence.group(steps, outSlots), initialValues.size(), in, out, initialValues.toArray(new NDArray[0]));
    }

    private boolean tryJoin(FusedGroup g, Eqn e) {
      Var out = e.outputs().get(0);
      boolean reduction = Fusion.isReduction(e);
      int[] expectShape = reduction ? e.inputs().get(0).type().shape() : out.type().shape();
      if (!Arrays.equals(expectShape, g.shape)) return false;
      for (Atom a : e.inputs()) {
        DType d = a.type().dtype();
        if (d != g.floatType && d != DType.BOOL) return false;
      }
      DType od = out.type().dtype();
      if (od != g.floatType && od != DType.BOOL) return false;
      // Insertion order (Var has identity equality): the inputs, and so the kernel's source, come out the same for the
      // same program every time; an identity map's order changed between traces and missed the KernelCache.
      Map<Var, Integer> newInputs = new java.util.LinkedHashMap<>();
      for (Atom a : e.inputs()) {
        if (!resolvable(g, a, newInputs)) return false;
      }
      for (Map.Entry<Var, Integer> ni : newInputs.entrySet()) addInput(g, ni.getKey());
      g.members.add(e);
      g.produced.add(out);
      if (reduction) g.reductions.add(out);
      groupOf.put(out, g);
      producedAt.put(out, g.stepIndex);
      define(out, g.stepIndex);
      return true;
    }

    /** Whether the group can read this atom: its own value, a constant, or an array (or broadcast view) ready before it runs. */
    private boolean resolvable(FusedGroup g, Atom a, Map<Var, Integer> newInputs) {
      if (a instanceof Literal) return true;
      Var v = (Var) a;
      if (g.produced.contains(v)) return !g.reductions.contains(v);
      if (g.inputIndexOfVar.containsKey(v) || g.constantOfVar.containsKey(v)) return true;
      Eqn view = views.get(v);
      if (view != null && !materializedViews.contains(v)) {
        if (!Arrays.equals(v.type().shape(), g.shape)) return false;
        Atom operand = view.inputs().get(0);
        if (operand instanceof Literal) {
          newInputs.put(v, 0);
          return true;
        }
        Var w = (Var) operand;
        if (views.containsKey(w) && !materializedViews.contains(w)) return false;
        Integer at = producedAt.get(w);
        if (at == null || at >= g.stepIndex) return false;
        newInputs.put(v, 0);
        return true;
      }
      Integer at = producedAt.get(v);
      if (at == null || at >= g.stepIndex) return false;
      if (!Arrays.equals(v.type().shape(), g.shape)) return false;
      newInputs.put(v, 0);
      return true;
    }

    private void addInput(FusedGroup g, Var v) {
      Eqn view = views.get(v);
      if (view != null && !materializedViews.contains(v)) {
        Atom operand = view.inputs().get(0);
        if (operand instanceof Literal l) {
          g.constantOfVar.put(v, l);
          return;
        }
        Var w = (Var) operand;
        int[] dims = Fusion.broadcastDims(view);
        g.inputIndexOfVar.put(v, g.inputs.size());
        g.inputs.add(new FusedGroup.Input(w, w.type().shape(), dims));
        return;
      }
      int[] dims = new int[g.shape.length];
      for (int i = 0; i < dims.length; i++) dims[i] = i;
      g.inputIndexOfVar.put(v, g.inputs.size());
      g.inputs.add(new FusedGroup.Input(v, v.type().shape(), dims));
    }

    /** Whether every input of e is ready before the group runs (and none is a broadcast still to materialize). */
    private boolean independentOf(FusedGroup g, Eqn e) {
      for (Atom a : e.inputs()) {
        if (!(a instanceof Var v)) continue;
        if (views.containsKey(v) && !materializedViews.contains(v)) return false;
        Integer at = producedAt.get(v);
        if (at == null || at >= g.stepIndex) return false;
      }
      return true;
    }

    private void scheduleSingle(Eqn e, int idx) {
      if (idx == steps.size()) {
        for (Atom a : e.inputs()) if (a instanceof Var v) materializeIfView(v);
        idx = steps.size();
      }
      int[] ins = e.inputs().stream().mapToInt(this::slotOf).toArray();
      for (Var o : e.outputs()) define(o, idx);
      int[] outs = e.outputs().stream().mapToInt(slot::get).toArray();
      String name = e.primitive().name();
      Step s;
      if (MatmulStep.supports(e)) {
        initialValues.add(null);
        s = new MatmulStep(e, ins[0], ins[1], outs[0], initialValues.size() - 1);
      } else if (e.primitive() == Primitives.RESHAPE) {
        s = new ReshapeStep(e.inputs().get(0).type(), e.outputs().get(0).type(), ins[0], outs[0]);
      } else if (e.primitive() == Primitives.OPTIMIZATION_BARRIER) {
        s = new InterpretedStep(e, ins, outs); // the identity on its operands: no copy, nothing to compile
      } else {
        FALLBACKS.incrementAndGet();
        if (!Warmup.onWarmupThread() && LOGGED_FALLBACKS.add(name + " " + e.outputs().get(0).type().dtype())) {
          EngineLog.of(CompiledProgram.class).info("no compiled kernel for {} on {}: it runs on the reference evaluator", name, e.outputs().get(0).type());
        }
        s = new InterpretedStep(e, ins, outs);
      }
      steps.add(idx, s);
    }

    private void materializeIfView(Var v) {
      Eqn view = views.get(v);
      if (view == null || materializedViews.contains(v)) return;
      Atom operand = view.inputs().get(0);
      if (operand instanceof Var w) materializeIfView(w);
      materializedViews.add(v);
      int idx = steps.size();
      int in = slotOf(operand);
      define(v, idx);
      steps.add(new InterpretedStep(view, new int[] {in}, new int[] {slot.get(v)}));
    }

    private void finishGroups() {
      List<FusedGroup> live = new ArrayList<>();
      for (FusedGroup g : groups) {
        for (Eqn e : g.members) {
          Var out = e.outputs().get(0);
          boolean usedOutside = programOutputs.contains(out);
          for (Eqn c : consumers.getOrDefault(out, List.of())) usedOutside |= groupOf.get(c.outputs().get(0)) != g || !g.members.contains(c);
          if (usedOutside || g.reductions.contains(out)) g.outputs.add(out);
        }
        if (g.outputs.isEmpty()) steps.set(g.stepIndex, new NoStep());
        else live.add(g);
      }
      Kernel[] kernels = compileKernels(live);
      for (int i = 0; i < live.size(); i++) {
        FusedGroup g = live.get(i);
        int[] ins = g.inputs.stream().mapToInt(in -> slot.get(in.source())).toArray();
        int[] outs = g.outputs.stream().mapToInt(slot::get).toArray();
        steps.set(g.stepIndex, new GroupStep(g, kernels[i], ins, outs));
      }
    }

    /**
     * The groups' kernels, compiled on the kernel threads side by side when there are several and more than one
     * thread ({@link Parallel#threads}: one inside a Spark task): a new program's Janino compiles (10-200 ms each in a
     * JVM that has compiled little yet) then take a share of its first call instead of their sum.
     */
    private static Kernel[] compileKernels(List<FusedGroup> live) {
      String[] sources = new String[live.size()];
      for (int i = 0; i < sources.length; i++) sources[i] = KernelSourceWriter.write(live.get(i));
      Kernel[] kernels = new Kernel[sources.length];
      int parts = Math.min(sources.length, Parallel.threads());
      Parallel.forEach(parts, p -> {
        for (int i = p; i < sources.length; i += parts) kernels[i] = KernelCache.get(sources[i]);
      });
      return kernels;
    }

    private void define(Var v, int at) {
      if (!slot.containsKey(v)) {
        slot.put(v, initialValues.size());
        initialValues.add(null);
      }
      producedAt.put(v, at);
    }

    private int slotOf(Atom a) {
      if (a instanceof Literal l) {
        initialValues.add(l.value());
        return initialValues.size() - 1;
      }
      Integer s = slot.get((Var) a);
      if (s == null) throw new IllegalStateException("internal: no slot for " + a);
      return s;
    }

    private static boolean isFloatOrBool(DType d) {
      return d == DType.FLOAT32 || d == DType.FLOAT64 || d == DType.BOOL;
    }
  }

  /** A group whose values are all unused (nothing to run). */
  private static final class NoStep implements Step {
    @Override public void run(NDArray[] env) {}

    @Override public String describe() { return "empty"; }

    @Override public int[] inputSlots() { return new int[0]; }

    @Override public int[] outputSlots() { return new int[0]; }
  }

}
