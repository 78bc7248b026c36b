package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.CallSite;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Builds the control-flow primitives from Java functions (what {@code dev.arrax.Lax} exposes): each
 * function is traced once to a sub-program at the operands' shapes and dtypes, so it runs at trace
 * time only, and the resulting {@code cond}, {@code while} or {@code scan} is bound like any
 * primitive, so every transformation applies to it.
 */
public final class ControlFlow {
  private ControlFlow() {}

  /**
   * {@code branches[index](operands)}: {@code index} a bool scalar (false: branch 0, true: branch 1)
   * or an integer scalar (clamped to the branches).
   */
  public static NDArray[] cond(NDArray index, List<Function<NDArray[], NDArray[]>> branches, NDArray[] operands) {
    ArrayType[] opTypes = SubPrograms.types(operands);
    SubPrograms.Closed[] traced = new SubPrograms.Closed[branches.size()];
    for (int k = 0; k < traced.length; k++) {
      Function<NDArray[], NDArray[]> f = branches.get(k);
      String name = "cond branch " + k;
      traced[k] = SubPrograms.trace(name, opTypes, in -> nonNull(name, f.apply(in)));
    }
    for (int k = 1; k < traced.length; k++) {
      ArrayType[] a = traced[0].program().outTypes(), b = traced[k].program().outTypes();
      if (!Arrays.equals(a, b)) {
        throw new ShapeException("cond: the branches must return the same shapes and dtypes, but branch " + (traced.length == 2 ? "falseFn" : "0")
            + " returns " + str(a) + " and branch " + (traced.length == 2 ? "trueFn" : String.valueOf(k)) + " returns " + str(b)
            + CallSite.describe());
      }
    }
    return Cond.apply(index, traced, operands);
  }

  /** {@code while cond(carries): carries = body(carries)}; cond returns one bool scalar. */
  public static NDArray[] whileLoop(Function<NDArray[], NDArray[]> cond, Function<NDArray[], NDArray[]> body, NDArray[] init) {
    ArrayType[] types = SubPrograms.types(init);
    SubPrograms.Closed c = SubPrograms.trace("whileLoop cond", types, in -> {
      NDArray[] r = nonNull("whileLoop cond", cond.apply(in));
      if (r.length != 1 || r[0].ndim() != 0) {
        throw new ShapeException("whileLoop: the condition must return one scalar, got " + str(SubPrograms.types(r)) + CallSite.describe());
      }
      return new NDArray[] {truth(r[0])};
    });
    SubPrograms.Closed b = SubPrograms.trace("whileLoop body", types, in -> {
      NDArray[] r = nonNull("whileLoop body", body.apply(in));
      if (!Arrays.equals(SubPrograms.types(r), types)) {
        throw new ShapeException("whileLoop: the body must return the carry's shape and dtype " + str(types) + " but returns " + str(SubPrograms.types(r))
            + CallSite.describe());
      }
      return r;
    });
    return WhileLoop.apply(c, b, init);
  }

  /**
   * A loop over the leading axis of {@code xs} (all of length {@code length}): {@code body(carries, x
   * slices)} returns the new carries followed by the step's outputs. Returns the final carries
   * followed by the stacked outputs.
   */
  public static NDArray[] scan(Function<NDArray[], NDArray[]> body, NDArray[] init, NDArray[] xs, int length, boolean reverse) {
    if (length < 0) throw new ShapeException("scan: negative length " + length + CallSite.describe());
    for (int i = 0; i < xs.length; i++) {
      if (xs[i].ndim() == 0 || xs[i].shape()[0] != length) {
        throw new ShapeException("scan: xs " + xs[i].type() + " must have a leading axis of length " + length + " to scan over" + CallSite.describe());
      }
    }
    ArrayType[] carryTypes = SubPrograms.types(init);
    ArrayType[] in = SubPrograms.concat(carryTypes, Scan.sliceTypes(xs));
    SubPrograms.Closed b = SubPrograms.trace("scan body", in, args -> {
      NDArray[] r = nonNull("scan body", body.apply(args));
      ArrayType[] got = SubPrograms.types(Arrays.copyOfRange(r, 0, Math.min(r.length, init.length)));
      if (r.length < init.length || !Arrays.equals(got, carryTypes)) {
        throw new ShapeException("scan: the body must return a new carry of the carry's shape and dtype " + str(carryTypes) + " but returns "
            + str(got) + CallSite.describe());
      }
      return r;
    });
    return Scan.apply(b, init, xs, length, reverse);
  }

  /** A scalar as a bool: nonzero is true. */
  public static NDArray truth(NDArray x) {
    if (x.dtype() == DType.BOOL) return x;
    return Ops.ne(x, Ops.scalar(0, x.dtype()));
  }

  private static NDArray[] nonNull(String what, NDArray[] r) {
    if (r == null) throw new ArraxException(what + " returned null; return an NDArray" + CallSite.describe());
    for (NDArray x : r) if (x == null) throw new ArraxException(what + " returned null; return an NDArray" + CallSite.describe());
    return r;
  }

  private static String str(ArrayType[] ts) {
    return ts.length == 1 ? ts[0].toString() : Arrays.toString(ts);
  }
}
