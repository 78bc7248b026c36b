package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;
import java.util.Arrays;

/**
 * The scatter family along one axis, the inverse of {@link Gather}: {@code scatter[axis] operand
 * indices updates} is a copy of {@code operand} in which {@code updates[p..., i..., q...]} is combined
 * into {@code operand[p..., indices[i...], q...]}; {@code updates} has the shape
 * {@code operand.shape[:axis] + indices.shape + operand.shape[axis+1:]}. The combiners are JAX's
 * {@code scatter} (replace; with repeated indices the last update in row-major order wins, which JAX
 * leaves unspecified), {@code scatter_add}, {@code scatter_mul}, {@code scatter_min} and
 * {@code scatter_max}, behind {@code x.at[idx].set/add/mul/min/max}. Out-of-range indices (negative ones
 * included) are dropped when {@code dropOutOfBounds} (JAX's default for scatters,
 * {@code mode='drop'}), else clamped into range ({@code mode='clip'}).
 *
 * <p>Rules, as JAX's ({@code jax/_src/lax/slicing.py}):
 * <ul>
 *   <li>scatter_add: linear; transpose: the operand's cotangent passes through, the updates' is
 *       {@code gather(ct, indices)} (zero for dropped updates);</li>
 *   <li>scatter: JVP by scattering update ids to learn which update won each position, then a
 *       scatter_add of the winners' tangents (so nothing needs a scatter transpose);</li>
 *   <li>scatter_mul: linear in the operand; the derivative in the updates needs
 *       {@code uniqueIndices} (as in JAX, which raises otherwise);</li>
 *   <li>scatter_min/max: tangents of tied values are averaged (JAX's {@code _scatter_extremal_jvp});</li>
 *   <li>vmap: batched indices become one scatter into the operand flattened over (batch, axis).</li>
 * </ul>
 * Under jit they run on the reference evaluator (an explicit, logged fallback).
 */
public final class Scatter extends Primitive<Scatter.P> {
  /**
   * @param axis the operand axis the indices select along
   * @param dropOutOfBounds true: out-of-range updates are skipped; false: their indices are clamped
   * @param uniqueIndices a promise that no index repeats (enables the scatter_mul derivative in the updates)
   */
  public record P(int axis, boolean dropOutOfBounds, boolean uniqueIndices) implements Params {}

  /** How an update is combined with the value it lands on. */
  public enum Kind {
    /** {@code scatter}: the update replaces the value. */
    SET,
    /** {@code scatter_add}: the update is added; repeated indices accumulate. */
    ADD,
    /** {@code scatter_mul}: the value is multiplied by the update. */
    MUL,
    /** {@code scatter_min}: the minimum of the value and the update. */
    MIN,
    /** {@code scatter_max}: the maximum of the value and the update. */
    MAX
  }

  private final Kind kind;

  Scatter(Kind kind) {
    super(kind == Kind.SET ? "scatter" : "scatter_" + kind.name().toLowerCase(java.util.Locale.ROOT), P.class);
    this.kind = kind;
  }

  /** How this scatter combines an update with the value it lands on. */
  public Kind kind() { return kind; }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length != 3) throw new ShapeException(name() + ": takes an operand, indices and updates, got " + in.length + " operands");
    ArrayType op = in[0], idx = in[1], upd = in[2];
    if (p.axis() < 0 || p.axis() >= op.rank()) throw new ShapeException(name() + ": axis " + p.axis() + " is out of bounds for the operand " + op);
    if (!idx.dtype().isInteger()) throw new ShapeException(name() + ": indices must be integers (i32, i64 or u32), got " + idx);
    int[] expected = Gather.outShape(op.shape(), p.axis(), idx.shape());
    if (!Arrays.equals(expected, upd.shape()) || upd.dtype() != op.dtype()) {
      throw new ShapeException(name() + ": updates must be " + new ArrayType(op.dtype(), expected) + " (operand " + op + " with axis " + p.axis()
          + " replaced by the indices' shape " + Shapes.str(idx.shape()) + "), got " + upd);
    }
    if (op.dtype() == DType.BOOL && (kind == Kind.ADD || kind == Kind.MUL)) {
      throw new ShapeException(name() + ": not defined for bool operands " + op + "; use scatter_max (or) / scatter_min (and)");
    }
    return new ArrayType[] {op};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    outTypes(new ArrayType[] {in[0].type(), in[1].type(), in[2].type()}, p);
    ConcreteArray out = ConcreteArray.zeros(in[0].type());
    Buffer dst = out.buffer(), idx = in[1].buffer(), upd = in[2].buffer();
    dst.copyRange(0, in[0].buffer(), 0, in[0].size());
    int[] s = in[0].shape();
    int a = p.axis(), n = s[a];
    int pre = Shapes.size(Arrays.copyOfRange(s, 0, a)), post = Shapes.size(Arrays.copyOfRange(s, a + 1, s.length));
    int m = idx.size();
    boolean fl = in[0].dtype().isFloating();
    for (int b = 0; b < pre; b++) {
      for (int i = 0; i < m; i++) {
        long raw = idx.getLong(i);
        if (n == 0 || (p.dropOutOfBounds() && (raw < 0 || raw >= n))) continue;
        int k = Gather.clamp(raw, n);
        int to = (b * n + k) * post, from = (b * m + i) * post;
        for (int q = 0; q < post; q++) {
          if (kind == Kind.SET) {
            dst.copyElement(to + q, upd, from + q);
          } else if (fl) {
            double x = dst.getDouble(to + q), u = upd.getDouble(from + q);
            dst.setDouble(to + q, switch (kind) {
              case ADD -> x + u;
              case MUL -> x * u;
              case MIN -> Math.min(x, u);
              case MAX -> Math.max(x, u);
              default -> throw new IllegalStateException();
            });
          } else {
            long x = dst.getLong(to + q), u = upd.getLong(from + q);
            dst.setLong(to + q, switch (kind) {
              case ADD -> x + u;
              case MUL -> x * u;
              case MIN -> Math.min(x, u);
              case MAX -> Math.max(x, u);
              default -> throw new IllegalStateException();
            });
          }
        }
      }
    }
    return new NDArray[] {out};
  }

  // ---- differentiation ----

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x);
    if ((SymbolicZero.is(t[0]) && SymbolicZero.is(t[2])) || !y.dtype().isFloating()) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray op = x[0], idx = x[1], upd = x[2];
    NDArray tOp = Ops.instantiate(t[0]), tUpd = Ops.instantiate(t[2]);
    P add = new P(p.axis(), p.dropOutOfBounds(), p.uniqueIndices());
    return switch (kind) {
      case ADD -> JvpResult.of(y, Primitives.SCATTER_ADD.bind1(add, tOp, idx, tUpd));
      case SET -> JvpResult.of(y, setTangent(op, idx, upd, tOp, tUpd, p));
      case MUL -> {
        NDArray r = SymbolicZero.is(t[0]) ? null : bind1(p, tOp, idx, upd);
        if (!SymbolicZero.is(t[2])) {
          if (!p.uniqueIndices()) {
            throw new ArraxException("scatter_mul: the derivative with respect to the updates is only implemented for unique indices, as in JAX; "
                + "if no index repeats, say so (at(...).mul(values, true) / Lax.scatterMul(..., uniqueIndices = true))");
          }
          NDArray d = Ops.mul(op, Primitives.SCATTER_ADD.bind1(add, Ops.zeros(op.type()), idx, tUpd));
          r = r == null ? d : Ops.add(r, d);
        }
        yield JvpResult.of(y, r);
      }
      case MIN, MAX -> JvpResult.of(y, extremalTangent(op, idx, upd, y, tOp, tUpd, p));
    };
  }

  /** JAX's scatter JVP without unique indices: scatter ids, gather them back, keep the winners' tangents. */
  private NDArray setTangent(NDArray op, NDArray idx, NDArray upd, NDArray tOp, NDArray tUpd, P p) {
    int n = upd.size();
    NDArray ids = Ops.add(Ops.reshape(Ops.iota(DType.INT64, new int[] {n}, 0), upd.shape()), Ops.full(new ArrayType(DType.INT64, upd.shape()), 1));
    NDArray scatteredIds = bind1(p, Ops.zeros(op.type().withDtype(DType.INT64)), idx, ids);
    NDArray gatheredIds = Primitives.GATHER.bind1(new Gather.P(p.axis()), scatteredIds, idx);
    NDArray won = Ops.eq(gatheredIds, ids);
    NDArray untouched = Ops.eq(scatteredIds, Ops.like(scatteredIds, 0));
    NDArray kept = Ops.select(untouched, tOp, Ops.zeros(tOp.type()));
    NDArray winners = Ops.select(won, tUpd, Ops.zeros(tUpd.type()));
    return Primitives.SCATTER_ADD.bind1(p, kept, idx, winners);
  }

  /** JAX's {@code _scatter_extremal_jvp}: ties between the operand and updates share the tangent equally. */
  private static NDArray extremalTangent(NDArray op, NDArray idx, NDArray upd, NDArray y, NDArray tOp, NDArray tUpd, P p) {
    Gather.P g = new Gather.P(p.axis());
    P add = new P(p.axis(), p.dropOutOfBounds(), p.uniqueIndices());
    NDArray initial = Primitives.GATHER.bind1(g, op, idx), target = Primitives.GATHER.bind1(g, y, idx);
    NDArray successful = Ops.eq(upd, target), retained = Ops.eq(initial, target);
    NDArray one = Ops.like(upd, 1), zero = Ops.like(upd, 0);
    NDArray numUpdates = Primitives.GATHER.bind1(g, Primitives.SCATTER_ADD.bind1(add, Ops.zeros(op.type()), idx, Ops.select(successful, one, zero)), idx);
    NDArray numRefs = Primitives.GATHER.bind1(g, Primitives.SCATTER_ADD.bind1(add, Ops.zeros(op.type()), idx, one), idx);
    NDArray updatesNormalizer = Ops.select(retained, Ops.div(one, Ops.add(numUpdates, one)), Ops.div(one, numUpdates));
    NDArray updatesCoef = Ops.select(successful, updatesNormalizer, zero);
    NDArray operandNormalizer = Ops.select(retained, Ops.div(one, Ops.add(numUpdates, one)), zero);
    NDArray operandCoef = Ops.div(Ops.add(Ops.like(upd, -1), operandNormalizer), numRefs);
    if (p.dropOutOfBounds()) {
      // a dropped update reads (through the clamping gather) a position it never reached: it contributes
      // nothing. Masking the coefficients, not the product, keeps their 1/0 out of the backward pass.
      NDArray in = inRangeMask(idx, op.shape()[p.axis()], upd.shape(), p.axis());
      operandCoef = Ops.select(in, operandCoef, zero);
      updatesCoef = Ops.select(in, updatesCoef, zero);
    }
    NDArray targetTangents = Primitives.GATHER.bind1(g, tOp, idx);
    NDArray tangentUpdates = Ops.add(Ops.mul(targetTangents, operandCoef), Ops.mul(tUpd, updatesCoef));
    return Primitives.SCATTER_ADD.bind1(add, tOp, idx, tangentUpdates);
  }

  /** True where an update's index is in range, broadcast to the updates' shape. */
  static NDArray inRangeMask(NDArray idx, int n, int[] updShape, int axis) {
    NDArray in = Ops.and(Ops.ge(idx, Ops.like(idx, 0)), Ops.lt(idx, Ops.like(idx, n)));
    int[] dims = new int[idx.ndim()];
    for (int i = 0; i < dims.length; i++) dims[i] = axis + i;
    return Ops.broadcastInDim(in, updShape, dims);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    if (UndefinedPrimal.is(in[1])) throw new ArraxException(name() + ": the indices cannot be linear");
    NDArray[] r = new NDArray[3];
    if (SymbolicZero.is(ct[0])) return r;
    if (kind == Kind.ADD) {
      if (UndefinedPrimal.is(in[0])) r[0] = ct[0];
      if (UndefinedPrimal.is(in[2])) {
        NDArray g = Primitives.GATHER.bind1(new Gather.P(p.axis()), ct[0], in[1]);
        if (p.dropOutOfBounds()) g = Ops.select(inRangeMask(in[1], in[0].shape()[p.axis()], g.shape(), p.axis()), g, Ops.zeros(g.type()));
        r[2] = g;
      }
      return r;
    }
    if (kind == Kind.MUL && UndefinedPrimal.is(in[0]) && !UndefinedPrimal.is(in[2])) {
      r[0] = bind1(p, ct[0], in[1], in[2]); // multiplying positions by fixed factors is its own transpose
      return r;
    }
    return super.transpose(ct, in, p);
  }

  // ---- vmap ----

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    int a = p.axis();
    NDArray op = args[0], idx = args[1], upd = args[2];
    if (dims[1] == Batched.NOT_MAPPED) {
      // the batch axis is one more leading operand axis: operand [B, pre, n, post], updates [B, pre, I, post]
      NDArray x = Batching.moveToFront(op, dims[0], size), u = Batching.moveToFront(upd, dims[2], size);
      return Batched.of(bind1(new P(a + 1, p.dropOutOfBounds(), p.uniqueIndices()), x, idx, u), 0);
    }
    NDArray x = Batching.moveToFront(op, dims[0], size); // [B, pre, n, post]
    x = Batching.moveAxis(x, 0, a); // [pre, B, n, post]
    int n = x.shape()[a + 1];
    NDArray flat = Ops.reshape(x, Gather.mergeAxes(x.shape(), a));
    NDArray i = Batching.moveToFront(idx, dims[1], size); // [B, I...]
    NDArray flatIdx = Gather.flatIndices(i, n, size, !p.dropOutOfBounds());
    NDArray u = Batching.moveToFront(upd, dims[2], size); // [B, pre, I, post]
    u = Batching.moveAxis(u, 0, a); // [pre, B, I, post]
    NDArray r = bind1(new P(a, p.dropOutOfBounds(), p.uniqueIndices()), flat, flatIdx, u);
    return Batched.of(Ops.reshape(r, x.shape()), a);
  }
}
