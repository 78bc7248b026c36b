package dev.arrax.core;

import dev.arrax.NDArray;

/**
 * One running transformation (JAX's MainTrace and Trace in one). Traces form a per-thread stack
 * ordered by level; an operation is processed by the highest-level trace among its arguments, after
 * lower-level values are lifted into it. Eval (no tracer among the arguments) is the implicit bottom.
 */
public abstract class Trace {
  private final int level;
  private boolean active = true;

  /** A trace at {@code level}, its position on the trace stack (1 for the outermost). */
  protected Trace(int level) {
    this.level = level;
  }

  /** The position on the trace stack: a primitive goes to the highest-level trace among its arguments. */
  public final int level() { return level; }

  /** False once the trace has been popped; a tracer of an inactive trace has escaped its transformation. */
  public final boolean isActive() { return active; }

  final void deactivate() { active = false; }

  /** Wraps a value from a lower level (a concrete array or a lower trace's tracer) as this trace's tracer. */
  public abstract Tracer lift(NDArray value);

  /** Applies a primitive to arguments that are all this trace's tracers. */
  public abstract <P extends Params> NDArray[] process(Primitive<P> prim, NDArray[] args, P params);

  /** Short name of the transformation for messages: "vmap", "jvp", "makeJaxpr", ... */
  public abstract String transformationName();

  @Override public String toString() { return transformationName() + "(level " + level + ")"; }
}
