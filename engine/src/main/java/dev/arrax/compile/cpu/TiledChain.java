package dev.arrax.compile.cpu;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Consecutive row steps of a {@link RowBlockedSequence} (float32 matrix products with weights, fused elementwise loops and
 * reshapes, at least one product and one other step) run together four rows at a time, as a hand-written per-row network
 * would: for each tile of 4 rows, the first product's register tile, the fused loop over those 4 rows, the next
 * product's tile, and so on, the values that only the chain reads held in a few KB of scratch instead of a block's rows.
 *
 * <p>One generated class per chain: its products are register tiles with the shapes written in (4 rows by 4, 2 or 1
 * vectors, the loop over {@code k} of known length), its fused loops the groups' own kernels as nested classes, called
 * directly. Measured on W1's per-row MLP gradient (1M rows, one thread): 76-80 ms against 93 ms for the same steps
 * over 144-row blocks (the hand loop: 64 ms); in a probe, the same structure written by hand ran as fast as the hand
 * loop (62-65 ms), and separate passes over blocks swung between 84 and 105 ms with what else HotSpot had compiled.
 *
 * <p>Same bits as the separate steps: every product element is the FMA chain over {@code k} from zero that
 * {@link VectorMatmul} computes, and the fused loops are the same code. Rows of a block past its last whole tile (a block
 * of 1-3 rows more) run through the separate steps.
 */
final class TiledChain implements RowStep {
  /** Rows per tile: the products' register tiles are 4 rows. */
  static final int TILE = 4;

  /** Off with {@code -Darrax.tiledChains=false} (then every step runs over whole blocks); tests compare both. */
  static volatile boolean enabled = !"false".equals(System.getProperty("arrax.tiledChains"));

  /** Tests: new chains compile in the planner and run whole blocks from their first call (no trial). */
  static volatile boolean startCompiledForTests;

  private final List<RowStep> members;
  private final int rows;
  /** The kernel's buffers: one per value the chain touches (a reshape's output shares its input's). */
  private final int[] valueSlot;
  /** Per value: whether it lives in the tile scratch, the first rows of its block buffer (produced and read only inside the chain). */
  private final boolean[] scratch;
  /** Per value: elements per row (0 for a value that is not row-blocked, such as a product's weights). */
  private final int[] perRow;
  /** The generated code's source, and the code once compiled (null until then). */
  private final String source;
  private volatile Kernel kernel;

  /** Chain code that has passed its trial (weakly held: the kernel cache may evict it); a new program with it skips one. */
  private static final Map<Kernel, Boolean> TRIED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /**
   * Whether the chain runs whole blocks. Its code starts in the interpreter, where the Vector API runs its Java
   * fallbacks tens of times slower than the separate steps' shared, compiled code (W1's first call in a fresh JVM took
   * 0.4-0.7 s more with the chain compiled in the planner and running whole blocks). So a new chain's first run is its
   * steps (unless it lasts {@link #longFirstRunNanos}); its second compiles the source and starts a trial: one tile per
   * block, timed against the steps that run the
   * rest of the block, trials spaced so that slow ones take at most a quarter of the time, until {@link #FAST_TRIALS}
   * trials in a row take at most twice the steps' time per row (a 4-row tile carries a call's fixed costs that a block
   * spreads over a hundred rows; interpreted or C1 code is tens of times slower, so this says HotSpot's C2 has
   * compiled every method of the chain); after
   * {@link #GIVE_UP_TRIALS} slow trials it gives up and the steps keep its rows.
   */
  private volatile boolean compiled;
  private final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger fastTrials = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger slowTrials = new java.util.concurrent.atomic.AtomicInteger();
  /** {@link System#nanoTime} before which no trial starts. */
  private volatile long nextTrial;
  static final int FAST_TRIALS = 64;
  /** Slow trials after which a chain gives up and leaves its rows to the steps for good (a bound on the trials' cost). */
  static final int GIVE_UP_TRIALS = 50_000;
  private volatile boolean givenUp;
  /** When the program's first run began; a first run longer than {@link #longFirstRunNanos} compiles the chain in its course. */
  private volatile long firstRunStart;

  /**
   * A first run this long compiles the chain and starts its trial before it ends (one thread compiles, the others go on
   * with the steps): a single call over many rows gets the chain too. Long enough that a first call of a few hundred
   * milliseconds never pays the compile. Tests set it to 0.
   */
  static volatile long longFirstRunNanos = 2_000_000_000L;
  private final java.util.concurrent.atomic.AtomicBoolean compilingInFirstRun = new java.util.concurrent.atomic.AtomicBoolean();

  private TiledChain(List<RowStep> members, int rows, int[] valueSlot, boolean[] scratch, int[] perRow, String source) {
    this.members = List.copyOf(members);
    this.rows = rows;
    this.valueSlot = valueSlot;
    this.scratch = scratch;
    this.perRow = perRow;
    this.source = source;
  }

  /** The steps this chain runs, in order (a row-blocked sequence gives their block-local outputs buffers). */
  List<RowStep> members() { return members; }

  /**
   * The steps of a run with each maximal stretch of chainable steps replaced by a chain (a stretch needs a product and
   * another step that is not a reshape). {@code local}: the run's slots that nothing outside it reads.
   */
  static List<RowStep> form(List<RowStep> run, int rows, Set<Integer> local) {
    if (!enabled || !VectorSupport.AVAILABLE) return run;
    List<RowStep> out = new ArrayList<>();
    int i = 0;
    while (i < run.size()) {
      int j = i;
      while (j < run.size() && chainable(run.get(j))) j++;
      if (j == i) {
        out.add(run.get(i++));
        continue;
      }
      List<RowStep> stretch = run.subList(i, j);
      long products = stretch.stream().filter(s -> s instanceof MatmulStep).count();
      long real = stretch.stream().filter(s -> !(s instanceof ReshapeStep)).count();
      if (products >= 1 && real >= 2) out.add(build(stretch, run, rows, local));
      else out.addAll(stretch);
      i = j;
    }
    return out;
  }

  private static boolean chainable(RowStep s) {
    if (s instanceof MatmulStep m) return m.tileable();
    if (s instanceof GroupStep g) return g.group().shape.length == 2 && g.group().inner() > 0 && KernelSourceWriter.vectorizable(g.group());
    return s instanceof ReshapeStep;
  }

  private static TiledChain build(List<RowStep> members, List<RowStep> run, int rows, Set<Integer> local) {
    // values: every slot the members read or write, a reshape's output folded into its input
    Map<Integer, Integer> alias = new HashMap<>();
    for (RowStep s : members) if (s instanceof ReshapeStep r) alias.put(r.outputSlots()[0], root(alias, r.inputSlots()[0]));
    Map<Integer, Integer> valueOf = new LinkedHashMap<>();
    Set<Integer> produced = new java.util.HashSet<>();
    for (RowStep s : members) {
      if (s instanceof ReshapeStep) continue;
      // a product reads its right operand from the [k, n] layout of it that it allocates, never from the operand's slot
      int[] reads = s instanceof MatmulStep m ? new int[] {m.lhsSlot(), m.rhsLayoutSlot()} : s.inputSlots();
      for (int slot : reads) valueOf.putIfAbsent(root(alias, slot), valueOf.size());
      for (int slot : s.outputSlots()) {
        valueOf.putIfAbsent(root(alias, slot), valueOf.size());
        produced.add(root(alias, slot));
      }
    }
    // read outside the chain (by another step of the run): written to its buffer, not kept in scratch
    Set<Integer> readOutside = new java.util.HashSet<>();
    for (RowStep s : run) {
      if (members.contains(s)) continue;
      for (int slot : s.inputSlots()) readOutside.add(root(alias, slot));
    }
    int n = valueOf.size();
    int[] valueSlot = new int[n];
    boolean[] scratch = new boolean[n];
    int[] perRow = new int[n];
    dev.arrax.DType[] dtype = new dev.arrax.DType[n]; // float32, or bool for a fused loop's masks
    for (Map.Entry<Integer, Integer> e : valueOf.entrySet()) {
      int slot = e.getKey(), v = e.getValue();
      valueSlot[v] = slot;
      boolean allLocal = local.contains(slot);
      for (Map.Entry<Integer, Integer> a : alias.entrySet()) if (a.getValue() == slot) allLocal &= local.contains(a.getKey());
      scratch[v] = produced.contains(slot) && allLocal && !readOutside.contains(slot);
    }
    for (RowStep s : members) {
      if (s instanceof MatmulStep m) {
        perRow[valueOf.get(root(alias, m.lhsSlot()))] = m.k();
        perRow[valueOf.get(root(alias, m.outSlot()))] = m.n();
        for (int slot : new int[] {m.lhsSlot(), m.rhsLayoutSlot(), m.outSlot()}) dtype[valueOf.get(root(alias, slot))] = dev.arrax.DType.FLOAT32;
      } else if (s instanceof GroupStep g) {
        int[] slots = g.bufferSlots();
        int nIn = g.inputSlots().length;
        for (int b = 0; b < slots.length; b++) {
          int v = valueOf.get(root(alias, slots[b]));
          if (b >= nIn || g.readsRowwise(slots[b])) perRow[v] = (int) g.perRow(b);
          dtype[v] = b < nIn ? g.group().inputs.get(b).source().type().dtype() : g.group().outputs.get(b - nIn).type().dtype();
        }
      }
    }
    String source = new Writer(members, alias, valueOf, scratch, perRow, dtype).write();
    TiledChain chain = new TiledChain(members, rows, valueSlot, scratch, perRow, source);
    Kernel cached = KernelCache.peek(source);
    if (startCompiledForTests || cached != null && TRIED.containsKey(cached)) {
      chain.kernel = cached != null ? cached : KernelCache.get(source);
      chain.compiled = true;
    }
    return chain;
  }

  private static int root(Map<Integer, Integer> alias, int slot) {
    Integer a = alias.get(slot);
    return a == null ? slot : a;
  }

  @Override public void runRows(NDArray[] env, int part, int from, int to, int[] rowOrigin) {
    if (compiled) { // written after kernel
      Kernel k = kernel;
      int whole = from + (to - from) / TILE * TILE;
      if (whole > from) runTiles(k, env, from, whole, rowOrigin);
      if (whole < to) steps(env, part, whole, to, rowOrigin);
      return;
    }
    Kernel k = kernel;
    if (k == null && !givenUp && runs.get() == 1 && System.nanoTime() - firstRunStart >= longFirstRunNanos
        && compilingInFirstRun.compareAndSet(false, true)) {
      compile();
      k = kernel;
    }
    long t0;
    if (k == null || to - from < 2 * TILE || (t0 = System.nanoTime()) < nextTrial) {
      steps(env, part, from, to, rowOrigin);
      return;
    }
    runTiles(k, env, from, from + TILE, rowOrigin);
    long t1 = System.nanoTime();
    steps(env, part, from + TILE, to, rowOrigin);
    long t2 = System.nanoTime();
    // per row: the tile's against the steps'
    if ((t1 - t0) * (double) (to - from - TILE) <= 2.0 * TILE * (t2 - t1)) {
      if (fastTrials.incrementAndGet() >= FAST_TRIALS) {
        TRIED.put(k, Boolean.TRUE);
        compiled = true;
        if (KernelCache.DEBUG) dev.arrax.core.EngineLog.of(TiledChain.class).info("chain passed its trial after {} slow tiles: {}", slowTrials.get(), describe());
      }
    } else if (slowTrials.incrementAndGet() >= GIVE_UP_TRIALS) {
      givenUp = true; // never as fast as the steps: they keep the rows
      kernel = null;
    } else {
      fastTrials.set(0);
      nextTrial = t1 + 3 * (t1 - t0);
      if (KernelCache.DEBUG && slowTrials.get() % 100 == 0) dev.arrax.core.EngineLog.of(TiledChain.class).info("slow trial {}: tile {} ns, steps {} ns for {} rows", slowTrials.get(), t1 - t0, t2 - t1, to - from - TILE);
    }
  }

  private void steps(NDArray[] env, int part, int from, int to, int[] rowOrigin) {
    for (RowStep s : members) s.runRows(env, part, from, to, rowOrigin);
  }

  /**
   * Rows [from, to) (whole tiles) through the chain's code. A value in scratch uses the first tile's rows of its block
   * buffer (every value in scratch is a block-local slot of the sequence), so a tile allocates nothing: the rows of a
   * block that the separate steps run (a tail, or the rest of a trial's block) come after the tiles, at later rows.
   */
  private void runTiles(Kernel k, NDArray[] env, int from, int to, int[] rowOrigin) {
    Object[] buffers = new Object[valueSlot.length];
    int[] origins = new int[valueSlot.length];
    for (int v = 0; v < valueSlot.length; v++) {
      buffers[v] = ((ConcreteArray) env[valueSlot[v]]).buffer().array();
      if (!scratch[v]) origins[v] = rowOrigin[valueSlot[v]] * perRow[v];
    }
    k.run(buffers, origins, from, to, 0, 0);
  }

  @Override public int rows() { return rows; }

  @Override public boolean readsRowwise(int slot) {
    for (RowStep s : members) for (int in : s.inputSlots()) if (in == slot && !s.readsRowwise(slot)) return false;
    return true;
  }

  @Override public ArrayType outputType(int slot) {
    for (RowStep s : members) for (int o : s.outputSlots()) if (o == slot) return s.outputType(slot);
    throw new IllegalArgumentException("not an output slot: " + slot);
  }

  @Override public long rowWidth() { return members.stream().mapToLong(RowStep::rowWidth).sum(); }

  @Override public long rowWork() { return members.stream().mapToLong(RowStep::rowWork).sum(); }

  @Override public void allocate(NDArray[] env, Set<Integer> local) {
    for (RowStep s : members) s.allocate(env, local);
  }

  @Override public void begin(NDArray[] env, int parts) {
    for (RowStep s : members) s.begin(env, parts);
    if (!compiled && !givenUp && kernel == null) {
      if (runs.incrementAndGet() >= 2) compile(); // the program's second run: compile the source, start the trial
      else firstRunStart = System.nanoTime();
    }
  }

  private synchronized void compile() {
    if (kernel != null) return;
    Kernel k = KernelCache.get(source);
    kernel = k;
    if (TRIED.containsKey(k)) compiled = true; // the same code passed its trial for an earlier program (a fresh jit of it)
  }

  @Override public void finish(NDArray[] env) {
    for (RowStep s : members) s.finish(env);
  }

  @Override public void run(NDArray[] env) {
    throw new IllegalStateException("internal: a tiled chain runs inside its row-blocked sequence");
  }

  @Override public int[] inputSlots() {
    return members.stream().flatMapToInt(s -> java.util.Arrays.stream(s.inputSlots())).distinct().toArray();
  }

  @Override public int[] outputSlots() {
    return members.stream().flatMapToInt(s -> java.util.Arrays.stream(s.outputSlots())).distinct().toArray();
  }

  @Override public String describe() {
    String state = compiled ? "" : givenUp ? " (gave up: the steps run its rows)" : kernel == null ? " (from the second run)" : " (on trial)";
    return "tiles of " + TILE + " rows" + state + " {" + members.stream().map(Step::describe).collect(Collectors.joining("; ")) + "}";
  }

  /**
   * The chain's source: {@code run} walks the 4-row tiles of its rows; per tile, each product calls its own tile method
   * and each fused loop runs on the tile's rows, through a loop over its kernel's {@code step} where the kernel has one,
   * else through the kernel's {@code run} (the kernels are nested classes, the groups' sources unchanged). A value in
   * scratch is addressed from the tile's first row (origin {@code r} times its row length), any other from its buffer's.
   */
  private static final class Writer {
    private final List<RowStep> members;
    private final Map<Integer, Integer> alias, valueOf;
    private final boolean[] scratch;
    private final int[] perRow;
    private final int lanes = VectorMatmul.lanes();
    private final dev.arrax.DType[] dtype;
    private final StringBuilder src = new StringBuilder();
    /** The fused loops in order (group i is nested as {@code G<i>}), and whether each is called through its step. */
    private final List<GroupStep> groups = new ArrayList<>();
    private final boolean[] stepped;
    /** Whether some stepped group's step takes the lane-call scratch {@code vt}. */
    private final boolean laneScratch;

    Writer(List<RowStep> members, Map<Integer, Integer> alias, Map<Integer, Integer> valueOf, boolean[] scratch, int[] perRow, dev.arrax.DType[] dtype) {
      this.dtype = dtype;
      this.members = members;
      this.alias = alias;
      this.valueOf = valueOf;
      this.scratch = scratch;
      this.perRow = perRow;
      for (RowStep s : members) if (s instanceof GroupStep g) groups.add(g);
      stepped = new boolean[groups.size()];
      boolean lanes = false;
      for (int i = 0; i < stepped.length; i++) {
        stepped[i] = KernelSourceWriter.hasStep(groups.get(i).group());
        lanes |= stepped[i] && KernelSourceWriter.laneCalls(groups.get(i).group());
      }
      laneScratch = lanes;
    }

    private int value(int slot) { return valueOf.get(root(alias, slot)); }

    /** The tile method's parameters ({@code declare}) or arguments: every value, origin and group buffer list, and the row. */
    private String tileArgs(boolean declare) {
      StringBuilder a = new StringBuilder();
      for (int v = 0; v < scratch.length; v++) {
        a.append(declare ? "final " + arrayType(v) + " " : "").append("v").append(v).append(", ");
        if (!scratch[v]) a.append(declare ? "final int " : "").append("e").append(v).append(", ");
      }
      for (int g = 0; g < groups.size(); g++) {
        if (stepped[g]) continue;
        a.append(declare ? "final Object[] " : "").append("gb").append(g).append(", ").append(declare ? "final int[] " : "").append("ge").append(g).append(", ");
      }
      if (laneScratch) a.append(declare ? "final float[] " : "").append("vt, ");
      return a.append(declare ? "final int " : "").append("r").toString();
    }

    private String arrayType(int v) {
      return KernelSourceWriter.javaType(dtype[v]) + "[]";
    }

    /**
     * {@code loop<index>}: the group's vector step over the tile's rows, for a group with one ({@link KernelSourceWriter#hasStep}):
     * its buffers typed, each with its element origin, the row loop and the column loop written with the row length.
     */
    private String stepLoop(int index, GroupStep g) {
      FusedGroup group = g.group();
      int nIn = group.inputs.size(), nOut = group.outputs.size();
      StringBuilder params = new StringBuilder(), args = new StringBuilder();
      StringBuilder t = new StringBuilder();
      int[] slots = g.bufferSlots();
      for (int k = 0; k < slots.length; k++) {
        String arr = k < nIn ? "in" + k : "out" + (k - nIn);
        String org = k < nIn ? "eo" + k : "oo" + (k - nIn);
        params.append("final ").append(arrayType(value(slots[k]))).append(' ').append(arr).append(", final int ").append(org).append(", ");
      }
      for (int i = 0; i < nIn; i++) args.append("in").append(i).append(", base").append(i).append(", ");
      for (int k = 0; k < nOut; k++) args.append("out").append(k).append(", oo").append(k).append(", ");
      args.append("o, j");
      if (KernelSourceWriter.laneCalls(group)) args.append(", vt");
      if (laneScratch) params.append("final float[] vt, ");
      t.append("  private static void loop").append(index).append("(").append(params).append("final int r) {\n");
      t.append("    for (int o = r; o < r + ").append(TILE).append("; o++) {\n");
      for (int i = 0; i < nIn; i++) t.append("      final int base").append(i).append(" = ").append(KernelSourceWriter.rowBase(group, i)).append(" - eo").append(i).append(";\n");
      t.append("      for (int j = 0; j < ").append(group.inner()).append("; j += ").append(lanes).append(") G").append(index).append(".step(").append(args).append(");\n");
      t.append("    }\n  }\n");
      return t.toString();
    }

    /** Element offset of the tile's first row in value v's buffer. */
    private String offset(int v) {
      return scratch[v] ? "0" : "r * " + perRow[v] + " - e" + v;
    }

    String write() {
      line(0, "public final class " + KernelCache.placeholder() + " implements dev.arrax.compile.cpu.Kernel {");
      line(1, "private static final jdk.incubator.vector.VectorSpecies S = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;");
      for (int g = 0; g < groups.size(); g++) {
        String nested = KernelSourceWriter.write(groups.get(g).group())
            .replace("public final class " + KernelCache.placeholder() + " implements", "static final class G" + g + " implements");
        src.append(nested.indent(2));
        if (!stepped[g]) line(1, "private static final G" + g + " g" + g + " = new G" + g + "();"); // called through run
      }
      line(1, "public void run(Object[] b, int[] eo, int rowFrom, int rowTo, int colFrom, int colTo) {");
      if (laneScratch) line(2, "final float[] vt = new float[S.length()];");
      for (int v = 0; v < scratch.length; v++) {
        line(2, "final " + arrayType(v) + " v" + v + " = (" + arrayType(v) + ") b[" + v + "];");
        if (!scratch[v]) line(2, "final int e" + v + " = eo[" + v + "];");
      }
      // each group's buffers and origins: fixed ones set here, scratch ones per tile
      for (int gi = 0; gi < groups.size(); gi++) {
        if (stepped[gi]) continue;
        int[] slots = groups.get(gi).bufferSlots();
        StringBuilder arrays = new StringBuilder();
        for (int k = 0; k < slots.length; k++) arrays.append(k > 0 ? ", " : "").append("v").append(value(slots[k]));
        line(2, "final Object[] gb" + gi + " = new Object[] {" + arrays + "};");
        line(2, "final int[] ge" + gi + " = new int[" + slots.length + "];");
        for (int k = 0; k < slots.length; k++) {
          int v = value(slots[k]);
          if (!scratch[v]) line(2, "ge" + gi + "[" + k + "] = e" + v + ";");
        }
      }
      line(2, "for (int r = rowFrom; r < rowTo; r += " + TILE + ") tile(" + tileArgs(false) + ");");
      line(1, "}");
      line(1, "private static void tile(" + tileArgs(true) + ") {");
      int gi = 0, mi = 0;
      StringBuilder tiles = new StringBuilder();
      for (RowStep s : members) {
        if (s instanceof MatmulStep m) {
          int a = value(m.lhsSlot()), w = valueOf.get(m.rhsLayoutSlot()), c = value(m.outSlot());
          line(2, "mm" + mi + "(v" + a + ", " + offset(a) + ", v" + w + ", v" + c + ", " + offset(c) + ");");
          tiles.append(tileMethod(mi, m.k(), m.n()));
          mi++;
        } else if (s instanceof GroupStep g && stepped[gi]) {
          int[] slots = g.bufferSlots();
          StringBuilder args = new StringBuilder();
          for (int slot : slots) {
            int v = value(slot);
            args.append("v").append(v).append(", ").append(scratch[v] ? "r * " + perRow[v] : "e" + v).append(", ");
          }
          line(2, "loop" + gi + "(" + args + (laneScratch ? "vt, " : "") + "r);");
          tiles.append(stepLoop(gi, g));
          gi++;
        } else if (s instanceof GroupStep g) {
          int[] slots = g.bufferSlots();
          for (int k = 0; k < slots.length; k++) {
            int v = value(slots[k]);
            if (scratch[v]) line(2, "ge" + gi + "[" + k + "] = r * " + perRow[v] + ";");
          }
          line(2, "g" + gi + ".run(gb" + gi + ", ge" + gi + ", r, r + " + TILE + ", 0, " + g.group().inner() + ");");
          gi++;
        }
      }
      line(1, "}");
      src.append(tiles);
      line(0, "}");
      return src.toString();
    }

    /**
     * {@code c[c0 + i * n + j] = sum over kk of a[a0 + i * k + kk] * b[kk * n + j]} for the tile's 4 rows i, as
     * {@link VectorMatmul}'s tiles compute it (the accumulators from zero, one FMA per kk in order), column blocks of 4,
     * 2 and 1 vectors (4 only with 16 lanes, as there), with k and n written in.
     */
    private String tileMethod(int index, int k, int n) {
      StringBuilder t = new StringBuilder();
      String fv = "jdk.incubator.vector.FloatVector";
      t.append("  private static void mm").append(index).append("(final float[] a, final int a0, final float[] b, final float[] c, final int c0) {\n");
      int j = 0;
      while (j < n) {
        int width = lanes >= 16 && j + 4 * lanes <= n ? 4 : j + 2 * lanes <= n ? 2 : 1;
        t.append("    {\n");
        for (int i = 0; i < TILE; i++) {
          for (int q = 0; q < width; q++) t.append("      ").append(fv).append(" p").append(i).append(q).append(" = ").append(fv).append(".zero(S);\n");
        }
        t.append("      for (int kk = 0, bo = ").append(j).append("; kk < ").append(k).append("; kk++, bo += ").append(n).append(") {\n");
        for (int q = 0; q < width; q++) {
          t.append("        final ").append(fv).append(" b").append(q).append(" = ").append(fv).append(".fromArray(S, b, bo").append(q > 0 ? " + " + q * lanes : "").append(");\n");
        }
        for (int i = 0; i < TILE; i++) {
          t.append("        final ").append(fv).append(" x").append(i).append(" = ").append(fv).append(".broadcast(S, a[a0 + ").append(i * k).append(" + kk]);\n");
          for (int q = 0; q < width; q++) t.append("        p").append(i).append(q).append(" = b").append(q).append(".fma(x").append(i).append(", p").append(i).append(q).append(");\n");
        }
        t.append("      }\n");
        for (int i = 0; i < TILE; i++) {
          for (int q = 0; q < width; q++) t.append("      p").append(i).append(q).append(".intoArray(c, c0 + ").append(i * n + j + q * lanes).append(");\n");
        }
        t.append("    }\n");
        j += width * lanes;
      }
      t.append("  }\n");
      return t.toString();
    }

    private void line(int indent, String s) {
      src.append("  ".repeat(indent)).append(s).append('\n');
    }
  }
}
