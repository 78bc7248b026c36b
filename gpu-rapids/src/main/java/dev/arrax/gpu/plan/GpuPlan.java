package dev.arrax.gpu.plan;

import dev.arrax.core.ArrayType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A program lowered to column-wise device work, as plain data: what {@code CudfExecutable} runs with
 * cuDF and {@link HostEvaluator} runs on the host with cuDF's semantics. Nothing here refers to cuDF's
 * classes, so plans are made, printed and checked where no GPU (and no cuDF native library) is present.
 *
 * <p>A run binds the host slots (parameters, constants), runs the {@link #prelude()} on the host, uploads
 * the row-mapped inputs ({@link #inputs()}), runs the device {@link #steps()} in order, reads back the
 * row outputs and the sums over rows, runs the {@link #epilogue()} and assembles the {@link #outputs()}.
 * Nothing in the plan depends on the row count but {@link #rows()}, the count it was traced at: every
 * step works row by row or sums over rows, so a batch split into parts (to fit device memory) runs the
 * same plan on each part, concatenating row outputs and adding sums.
 *
 * <p>Example, W3's logistic-loss gradient (abridged; {@link #describe()} prints the whole plan):
 * <pre>
 *   inputs: #0 f32[32] -> $s0   #1 f32[N,32] -> c0..c31   #2 f32[N] -> c32
 *   device: c33 = ast (((c0 * $s0[0]) + (c1 * $s0[1])) + ...)             z = X w
 *           c34 = ast ((c33 &gt; 0.0f) || (c33 != c33))  c35 = if_else(c34, c33, 0.0f)    max(z, 0), NaN-exact
 *           ...
 *           s0 = sum_rows(c80) ... s31 = sum_rows(c111)                    X^T (sigmoid(z) - y)
 *   epilogue: $s5 = transpose $s4 ; $s6 = reshape $s5
 * </pre>
 *
 * @param rows     the row count the program was traced at
 * @param inTypes  the program's input types
 * @param outTypes its output types
 * @param columns  every device column, by id
 * @param slots    every host slot, by id
 * @param inputs   one binding per program input
 * @param prelude  host steps before the device work
 * @param steps    device steps, in order
 * @param epilogue host steps after the device work
 * @param outputs  one binding per program output
 * @param scalars  number of scalars the {@link Step.ColumnSum} steps define
 */
public record GpuPlan(int rows, ArrayType[] inTypes, ArrayType[] outTypes, List<ColumnInfo> columns, List<SlotInfo> slots,
    List<InputBinding> inputs, List<HostStep> prelude, List<Step> steps, List<HostStep> epilogue, List<OutputBinding> outputs,
    int scalars) {

  /**
   * Copies the arrays and lists.
   * @throws IllegalArgumentException if column i does not have id i
   */
  public GpuPlan {
    inTypes = inTypes.clone();
    outTypes = outTypes.clone();
    columns = List.copyOf(columns);
    slots = List.copyOf(slots);
    inputs = List.copyOf(inputs);
    prelude = List.copyOf(prelude);
    steps = List.copyOf(steps);
    epilogue = List.copyOf(epilogue);
    outputs = List.copyOf(outputs);
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).id() != i) throw new IllegalArgumentException("column " + i + " has id " + columns.get(i).id());
    }
  }

  /** The column with id {@code id} (its index in {@link #columns()}). */
  public ColumnInfo column(int id) { return columns.get(id); }

  /** Elements per row of the widest flat column a run builds (uploads, wide columns, interleaved outputs). */
  public int maxRowWidth() {
    int w = 1;
    for (ColumnInfo c : columns) w = Math.max(w, c.width());
    for (InputBinding b : inputs) if (b instanceof InputBinding.Rows r) w = Math.max(w, r.columns().length);
    for (OutputBinding b : outputs) if (b instanceof OutputBinding.Rows r) w = Math.max(w, r.columns().length);
    return w;
  }

  /** Device launches per run: steps, the split of each narrow input into feature columns, the interleave of each narrow output. */
  public int kernels() {
    int k = 0;
    for (Step s : steps) k += s.launches();
    for (InputBinding b : inputs) if (b instanceof InputBinding.Rows r && r.columns().length > 1) k += r.columns().length + 1;
    for (OutputBinding b : outputs) if (b instanceof OutputBinding.Rows r && r.columns().length > 1) k += 1;
    return k;
  }

  /** AST computes among the steps. */
  public int astComputes() {
    int k = 0;
    for (Step s : steps) if (s instanceof Step.Compute) k++;
    return k;
  }

  /**
   * For each column, the index of the last step that reads it ({@code steps().size()} for a column an
   * output reads, -1 for one nothing reads): the executor frees a column right after its last reader,
   * which bounds device memory to the live columns, not all of them.
   */
  public int[] lastUse() {
    int[] last = new int[columns.size()];
    Arrays.fill(last, -1);
    for (int i = 0; i < steps.size(); i++) for (int c : steps.get(i).reads()) last[c] = i;
    for (OutputBinding b : outputs) {
      if (b instanceof OutputBinding.Rows r) for (int c : r.columns()) last[c] = steps.size();
      if (b instanceof OutputBinding.Wide w) last[w.column()] = steps.size();
    }
    return last;
  }

  /** The whole plan, one line per binding and step. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    int columnsOfRows = 0;
    for (ColumnInfo c : columns) if (c.width() == 1) columnsOfRows++;
    sb.append("GpuPlan: rows ").append(rows).append(", ").append(kernels()).append(" kernels (").append(astComputes()).append(" AST computes, ")
        .append(steps.size() - astComputes()).append(" column ops), ").append(columns.size()).append(" columns (").append(columnsOfRows)
        .append(" of rows), ").append(slots.size()).append(" host slots, ").append(scalars).append(" sums over rows\n");
    sb.append("  inputs:\n");
    for (InputBinding b : inputs) {
      ArrayType t = inTypes[b.input()];
      sb.append("    #").append(b.input()).append(' ').append(t).append(" -> ");
      if (b instanceof InputBinding.Rows r) sb.append(r.columns().length == 1 ? "row column c" + r.columns()[0] : r.columns().length
          + " row columns " + range(r.columns()) + " (uploaded flat, split on the device)");
      else if (b instanceof InputBinding.Wide w) sb.append("wide column ").append(column(w.column()).describe());
      else sb.append("parameter $s").append(((InputBinding.Parameter) b).slot());
      sb.append('\n');
    }
    for (SlotInfo s : slots) {
      if (s.source() instanceof SlotInfo.Input) continue;
      sb.append("    $s").append(s.id()).append(' ').append(s.type()).append(": ").append(s.describeSource()).append('\n');
    }
    if (!prelude.isEmpty()) {
      sb.append("  host prelude (parameters only):\n");
      for (HostStep h : prelude) sb.append("    ").append(h.describe()).append('\n');
    }
    sb.append("  device steps:\n");
    for (Step s : steps) {
      String out = s instanceof Step.ColumnSum ? "sum" + s.out() : column(s.out()).describe();
      sb.append("    ").append(out).append(" = ").append(s.describe()).append('\n');
    }
    if (!epilogue.isEmpty()) {
      sb.append("  host epilogue (sums over rows):\n");
      for (HostStep h : epilogue) sb.append("    ").append(h.describe()).append('\n');
    }
    sb.append("  outputs:\n");
    for (OutputBinding b : outputs) {
      sb.append("    #").append(b.output()).append(' ').append(outTypes[b.output()]).append(" <- ");
      if (b instanceof OutputBinding.Rows r) sb.append(r.columns().length == 1 ? "c" + r.columns()[0] : "interleave " + range(r.columns()));
      else if (b instanceof OutputBinding.Wide w) sb.append("c").append(w.column());
      else sb.append("host ").append(((OutputBinding.Host) b).view());
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String range(int[] ids) {
    if (ids.length == 0) return "()";
    boolean consecutive = true;
    for (int i = 1; i < ids.length; i++) consecutive &= ids[i] == ids[i - 1] + 1;
    if (consecutive && ids.length > 2) return "c" + ids[0] + "..c" + ids[ids.length - 1];
    List<String> s = new ArrayList<>();
    for (int id : ids) s.add("c" + id);
    return String.join(",", s);
  }

  /** Histogram of step kinds, for tests and diagnostics: {@code {Compute=96, IfElse=0, ...}}. */
  public Map<String, Integer> stepCounts() {
    Map<String, Integer> m = new HashMap<>();
    for (Step s : steps) m.merge(s.getClass().getSimpleName(), 1, Integer::sum);
    return m;
  }
}
