package dev.arrax.batching;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Primitive.Batched;
import dev.arrax.core.Shapes;
import dev.arrax.core.Trace;
import dev.arrax.core.Tracer;

/**
 * vmap: each value is an array with one extra axis (or none, when not mapped), and each primitive
 * applies its batching rule, so the whole function becomes one batched program.
 */
public final class BatchTrace extends Trace {
  private final int axisSize;

  /** A vmap trace at stack {@code level} whose mapped axis has {@code axisSize} elements. */
  public BatchTrace(int level, int axisSize) {
    super(level);
    this.axisSize = axisSize;
  }

  /** The size of the mapped (batch) axis. */
  public int axisSize() { return axisSize; }

  @Override public String transformationName() { return "vmap"; }

  @Override public Tracer lift(NDArray value) { return new BatchTracer(this, value, Batched.NOT_MAPPED); }

  /**
   * A tracer of this trace: {@code value} holds the batch along axis {@code dim}, or is unbatched if
   * {@code dim} is {@code Batched.NOT_MAPPED}.
   */
  public BatchTracer wrap(NDArray value, int dim) { return new BatchTracer(this, value, dim); }

  @Override public <P extends Params> NDArray[] process(Primitive<P> prim, NDArray[] args, P params) {
    NDArray[] vals = new NDArray[args.length];
    int[] dims = new int[args.length];
    boolean anyMapped = false;
    for (int i = 0; i < args.length; i++) {
      BatchTracer t = (BatchTracer) args[i];
      vals[i] = t.value();
      dims[i] = t.dim();
      anyMapped |= dims[i] != Batched.NOT_MAPPED;
    }
    NDArray[] res;
    if (!anyMapped) {
      NDArray[] outs = prim.bind(params, vals);
      res = new NDArray[outs.length];
      for (int i = 0; i < outs.length; i++) res[i] = new BatchTracer(this, outs[i], Batched.NOT_MAPPED);
      return res;
    }
    Batched b = prim.batch(vals, dims, axisSize, params);
    res = new NDArray[b.outs().length];
    for (int i = 0; i < res.length; i++) res[i] = new BatchTracer(this, b.outs()[i], b.dims()[i]);
    return res;
  }

  /** A batched value: {@code value} has the batch axis at {@code dim} (or none when NOT_MAPPED). */
  public static final class BatchTracer extends Tracer {
    private final BatchTrace trace;
    private final NDArray value;
    private final int dim;

    BatchTracer(BatchTrace trace, NDArray value, int dim) {
      super(dim == Batched.NOT_MAPPED ? value.type() : unbatched(value.type(), dim));
      this.trace = trace;
      this.value = value;
      this.dim = dim;
    }

    private static ArrayType unbatched(ArrayType t, int dim) {
      return t.withShape(Shapes.remove(t.shape(), dim));
    }

    @Override public Trace trace() { return trace; }

    /** The underlying array, including the batch axis (if mapped). */
    public NDArray value() { return value; }

    /**
     * The batch axis of {@link #value()}, or {@code Batched.NOT_MAPPED} (-1) when the value is the same for
     * every batch element.
     */
    public int dim() { return dim; }
  }
}
