package dev.arrax.backend;

import java.util.List;

/**
 * Where each segment of a plan runs, and why not elsewhere: what {@link Executable#explain()} prints.
 *
 * @param plan       the plan
 * @param requested  the backend the caller asked for ({@code cpu}, {@code gpu}, {@code auto})
 * @param backend    the backend that runs the program
 * @param decisions  one per segment
 * @param note       why the program runs where it does when that is not what was requested (else empty)
 */
public record Placement(ProgramPlan plan, String requested, String backend, List<Decision> decisions, String note) {
  /** One segment's placement: the backend that runs it and the reasons other backends gave for declining it. */
  public record Decision(Segment segment, String backend, List<String> declined) {
    /** Copies {@code declined} into an unmodifiable list. */
    public Decision {
      declined = List.copyOf(declined);
    }
  }

  /** Copies {@code decisions} into an unmodifiable list; a null {@code note} becomes empty. */
  public Placement {
    decisions = List.copyOf(decisions);
    if (note == null) note = "";
  }

  /** Number of segments that run on {@code name}. */
  public int segmentsOn(String name) {
    int n = 0;
    for (Decision d : decisions) if (d.backend().equals(name)) n++;
    return n;
  }

  /**
   * The printable plan:
   * <pre>
   * == Arrax plan: backend gpu (requested auto), rows 1000000 ==
   *   #0 CONTRACTION[dot_general] f32[1000000,32] -> f32[1000000,64]   gpu
   *   #1 OPAQUE[sort] f32[1000000,64] -> f32[1000000,64]               cpu   (gpu: will not run because sort has no cuDF lowering)
   * </pre>
   */
  public String explain() {
    StringBuilder sb = new StringBuilder();
    sb.append("== Arrax plan: backend ").append(backend).append(" (requested ").append(requested).append(")");
    if (plan.rows() >= 0) sb.append(", rows ").append(plan.rows());
    sb.append(", ").append(decisions.size()).append(" segments ==\n");
    if (!note.isEmpty()) sb.append("  ").append(note).append('\n');
    for (Decision d : decisions) {
      sb.append("  #").append(d.segment().index()).append(' ').append(d.segment().describe()).append("   ").append(d.backend());
      for (String why : d.declined()) sb.append("   (").append(why).append(')');
      sb.append('\n');
    }
    return sb.toString();
  }

  @Override public String toString() { return explain(); }
}
