package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;
import java.util.ArrayList;
import java.util.List;

/**
 * Broadcasts an operand into {@code shape}: operand axis i becomes output axis
 * {@code broadcastDimensions[i]} (strictly increasing), where it must have size 1 or the output's size.
 * Linear; its transpose sums over the broadcast axes.
 */
public final class BroadcastInDim extends Primitive<BroadcastInDim.P> {
  /** Parameters: the output {@code shape} and, per operand axis, the output axis it maps to. */
  public record P(int[] shape, int[] broadcastDimensions) implements Params {}

  BroadcastInDim() {
    super("broadcast_in_dim", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int[] s = in[0].shape(), dims = p.broadcastDimensions(), out = p.shape();
    if (dims.length != s.length) {
      throw new ShapeException("broadcast_in_dim: operand " + in[0] + " needs " + s.length + " broadcast dimensions, got " + Shapes.str(dims));
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 || dims[i] >= out.length || (i > 0 && dims[i] <= dims[i - 1])) {
        throw new ShapeException("broadcast_in_dim: broadcast dimensions " + Shapes.str(dims) + " must be increasing and within rank "
            + out.length + " of shape " + Shapes.str(out));
      }
      if (s[i] != 1 && s[i] != out[dims[i]]) {
        throw new ShapeException("broadcast_in_dim: operand " + in[0] + " axis " + i + " (size " + s[i]
            + ") cannot broadcast to size " + out[dims[i]] + " of shape " + Shapes.str(out));
      }
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), out)};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int[] out = p.shape(), s = in[0].shape(), dims = p.broadcastDimensions();
    int[] inStrides = Shapes.strides(s);
    int[] strideOut = new int[out.length];
    for (int i = 0; i < dims.length; i++) strideOut[dims[i]] = s[i] == 1 ? 0 : inStrides[i];
    ConcreteArray r = ConcreteArray.zeros(new ArrayType(in[0].dtype(), out));
    Buffer src = in[0].buffer(), dst = r.buffer();
    int[] idx = new int[out.length];
    for (int f = 0; f < dst.size(); f++) {
      Indexing.unravel(f, out, idx);
      dst.copyElement(f, src, Indexing.ravel(idx, strideOut));
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    int[] s = in[0].shape(), out = p.shape(), dims = p.broadcastDimensions();
    List<Integer> sumAxes = new ArrayList<>();
    for (int a = 0; a < out.length; a++) {
      int k = indexOf(dims, a);
      if (k < 0 || (s[k] == 1 && out[a] != 1)) sumAxes.add(a);
    }
    NDArray summed = Ops.reduceSum(ct[0], sumAxes.stream().mapToInt(Integer::intValue).toArray());
    return new NDArray[] {Ops.reshape(summed, s)};
  }

  private static int indexOf(int[] xs, int v) {
    for (int i = 0; i < xs.length; i++) if (xs[i] == v) return i;
    return -1;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    int[] bd = new int[p.broadcastDimensions().length + 1];
    for (int i = 0; i < p.broadcastDimensions().length; i++) bd[i + 1] = p.broadcastDimensions()[i] + 1;
    return Batched.of(Ops.broadcastInDim(x, Shapes.insert(p.shape(), 0, size), bd), 0);
  }
}
