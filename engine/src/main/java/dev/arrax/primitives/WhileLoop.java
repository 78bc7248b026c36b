package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;
import dev.arrax.ir.Program;
import java.util.Arrays;

/**
 * {@code while[cond_nconsts=.. cond_jaxpr=.. body_nconsts=.. body_jaxpr=..] cond_consts... body_consts... carries...}:
 * {@code while cond(cond_consts, carries): carries = body(body_consts, carries)} (JAX's {@code while_p}).
 * The trip count is only known at run time.
 *
 * <ul>
 *   <li>JVP: one while loop carrying (primals, tangents); its body is the JVP of the body.</li>
 *   <li>Reverse mode is not supported, as in JAX: transposing needs every iteration's values, and a
 *       dynamic trip count gives no bound to store them in. {@code foriLoop} with static bounds and
 *       {@code scan} are differentiable in reverse mode.</li>
 *   <li>vmap: with a predicate that does not depend on the batch, a while loop of the batched body;
 *       otherwise the loop runs while any element's predicate holds, and elements whose predicate is
 *       already false keep their carry ({@code select_n}), so each ends exactly where it would alone.</li>
 * </ul>
 */
public final class WhileLoop extends Primitive<WhileLoop.P> {
  static final String REVERSE_MODE_MESSAGE = "reverse-mode differentiation of whileLoop with a dynamic trip count is not supported; "
      + "use foriLoop with static bounds or scan";

  /** cond: (cond consts, carries) -> bool[]; body: (body consts, carries) -> carries. */
  public record P(int condNconsts, Program condJaxpr, int bodyNconsts, Program bodyJaxpr) implements Params {
    /**
     * Checks the parameters.
     * @throws IllegalArgumentException if either sub-program has constants (they must be closed)
     */
    public P {
      if (!condJaxpr.constVars().isEmpty() || !bodyJaxpr.constVars().isEmpty()) {
        throw new IllegalArgumentException("while: sub-programs must be closed (constants passed as operands)");
      }
    }
  }

  WhileLoop() {
    super("while", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int nc = p.condNconsts(), nb = p.bodyNconsts();
    if (nc < 0 || nb < 0 || nc + nb > in.length) {
      throw new ShapeException("while: " + nc + " cond constants and " + nb + " body constants but " + in.length + " operands");
    }
    ArrayType[] carries = Arrays.copyOfRange(in, nc + nb, in.length);
    ArrayType[] condIn = concat(Arrays.copyOfRange(in, 0, nc), carries);
    ArrayType[] bodyIn = concat(Arrays.copyOfRange(in, nc, nc + nb), carries);
    if (!Arrays.equals(p.condJaxpr().inTypes(), condIn)) {
      throw new ShapeException("while: the condition takes " + Arrays.toString(p.condJaxpr().inTypes()) + " but is given " + Arrays.toString(condIn));
    }
    ArrayType[] condOut = p.condJaxpr().outTypes();
    if (condOut.length != 1 || !condOut[0].equals(ArrayType.of(DType.BOOL))) {
      throw new ShapeException("while: the condition must return one bool[] scalar, got " + Arrays.toString(condOut));
    }
    if (!Arrays.equals(p.bodyJaxpr().inTypes(), bodyIn)) {
      throw new ShapeException("while: the body takes " + Arrays.toString(p.bodyJaxpr().inTypes()) + " but is given " + Arrays.toString(bodyIn));
    }
    if (!Arrays.equals(p.bodyJaxpr().outTypes(), carries)) {
      throw new ShapeException("while: the body returns " + Arrays.toString(p.bodyJaxpr().outTypes()) + " but the carries are " + Arrays.toString(carries)
          + "; the body must return values of the carries' shapes and dtypes");
    }
    return carries;
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int nc = p.condNconsts(), nb = p.bodyNconsts();
    NDArray[] cc = Arrays.copyOfRange(in, 0, nc, NDArray[].class);
    NDArray[] bc = Arrays.copyOfRange(in, nc, nc + nb, NDArray[].class);
    NDArray[] carries = Arrays.copyOfRange(in, nc + nb, in.length, NDArray[].class);
    while (((ConcreteArray) SubPrograms.evaluate(p.condJaxpr(), SubPrograms.concat(cc, carries))[0]).buffer().getBool(0)) {
      carries = SubPrograms.evaluate(p.bodyJaxpr(), SubPrograms.concat(bc, carries));
    }
    return carries;
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, P p) {
    if (SubPrograms.linearizing(primals, tangents)) throw new ArraxException(REVERSE_MODE_MESSAGE);
    int nc = p.condNconsts(), nb = p.bodyNconsts(), n = primals.length - nc - nb;
    NDArray[] cc = Arrays.copyOfRange(primals, 0, nc);
    NDArray[] bc = Arrays.copyOfRange(primals, nc, nc + nb);
    NDArray[] carries = Arrays.copyOfRange(primals, nc + nb, primals.length);
    NDArray[] bcT = Arrays.copyOfRange(tangents, nc, nc + nb);
    NDArray[] carryT = Arrays.copyOfRange(tangents, nc + nb, tangents.length);
    boolean[] nzB = new boolean[nb];
    boolean any = false;
    for (int i = 0; i < nb; i++) any |= nzB[i] = !SymbolicZero.is(bcT[i]) && bc[i].dtype().isFloating();
    // Every floating carry carries a tangent: one that starts at zero can become nonzero in the body.
    boolean[] fc = new boolean[n];
    for (int i = 0; i < n; i++) {
      fc[i] = carries[i].dtype().isFloating();
      any |= fc[i] && !SymbolicZero.is(carryT[i]);
    }
    if (!any || SubPrograms.count(fc) == 0) {
      NDArray[] outP = bind(p, primals);
      NDArray[] outT = new NDArray[n];
      for (int i = 0; i < n; i++) outT[i] = new SymbolicZero(outP[i].type());
      return new JvpResult(outP, outT);
    }
    NDArray[] nzBT = SubPrograms.select(bcT, nzB);
    NDArray[] carryTans = new NDArray[SubPrograms.count(fc)];
    for (int i = 0, j = 0; i < n; i++) if (fc[i]) carryTans[j++] = Ops.instantiate(carryT[i]);
    // cond ignores the tangent carries
    Program cond = SubPrograms.insertInputs(p.condJaxpr(), nc + n, SubPrograms.types(carryTans));
    ArrayType[] bodyIn = SubPrograms.concat(SubPrograms.types(bc), SubPrograms.types(nzBT), SubPrograms.types(carries), SubPrograms.types(carryTans));
    SubPrograms.Closed body = SubPrograms.trace("while jvp body", bodyIn, in -> {
      NDArray[] b = Arrays.copyOfRange(in, 0, nb);
      NDArray[] bt = new NDArray[nb];
      int j = nb;
      for (int i = 0; i < nb; i++) bt[i] = nzB[i] ? in[j++] : new SymbolicZero(b[i].type());
      NDArray[] c = Arrays.copyOfRange(in, j, j + n);
      j += n;
      NDArray[] ct = new NDArray[n];
      for (int i = 0; i < n; i++) ct[i] = fc[i] ? in[j++] : new SymbolicZero(c[i].type());
      SubPrograms.JvpOut r = SubPrograms.jvp(p.bodyJaxpr(), SubPrograms.concat(b, c), SubPrograms.concat(bt, ct));
      NDArray[] outT = new NDArray[carryTans.length];
      for (int i = 0, k = 0; i < n; i++) if (fc[i]) outT[k++] = Ops.instantiate(r.tangents()[i]);
      return SubPrograms.concat(r.primals(), outT);
    });
    NDArray[] bodyConsts = SubPrograms.concat(body.consts(), bc, nzBT);
    NDArray[] outs = bind(new P(nc, cond, bodyConsts.length, body.program()), SubPrograms.concat(cc, bodyConsts, carries, carryTans));
    NDArray[] outP = Arrays.copyOfRange(outs, 0, n);
    NDArray[] outT = new NDArray[n];
    for (int i = 0, j = n; i < n; i++) outT[i] = fc[i] ? outs[j++] : new SymbolicZero(outP[i].type());
    return new JvpResult(outP, outT);
  }

  @Override public NDArray[] transpose(NDArray[] cotangents, NDArray[] inputs, P p) {
    throw new ArraxException(REVERSE_MODE_MESSAGE);
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    int nc = p.condNconsts(), nb = p.bodyNconsts(), n = args.length - nc - nb;
    NDArray[] cc = Arrays.copyOfRange(args, 0, nc);
    NDArray[] bc = Arrays.copyOfRange(args, nc, nc + nb);
    NDArray[] init = Arrays.copyOfRange(args, nc + nb, args.length);
    int[] ccDims = Arrays.copyOfRange(dims, 0, nc);
    int[] bcDims = Arrays.copyOfRange(dims, nc, nc + nb);
    int[] initDims = Arrays.copyOfRange(dims, nc + nb, dims.length);
    boolean[] cb = SubPrograms.batchedCarries(p.bodyJaxpr(), init, initDims, size,
        c -> SubPrograms.concat(SubPrograms.types(bc), c), b -> concat(bcDims, SubPrograms.frontDims(b)));
    boolean predBatched = SubPrograms.batchedOutputs(p.condJaxpr(),
        SubPrograms.concat(SubPrograms.types(cc), SubPrograms.carryTypes(init, initDims, cb, size)),
        concat(ccDims, SubPrograms.frontDims(cb)), size)[0] != Batched.NOT_MAPPED;
    int[] outDims = new int[n];
    if (!predBatched) {
      NDArray[] carries = SubPrograms.carries(init, initDims, cb, size);
      // Every element takes the same number of steps: a while loop of the batched body.
      int[] condDims = concat(ccDims, SubPrograms.frontDims(cb)), bodyDims = concat(bcDims, SubPrograms.frontDims(cb));
      ArrayType[] carryTypes = SubPrograms.types(carries);
      SubPrograms.Closed cond = SubPrograms.trace("while vmap cond", SubPrograms.concat(SubPrograms.types(cc), carryTypes),
          in -> SubPrograms.batch(p.condJaxpr(), in, condDims, size).outs());
      SubPrograms.Closed body = SubPrograms.trace("while vmap body", SubPrograms.concat(SubPrograms.types(bc), carryTypes), in -> {
        Batched b = SubPrograms.batch(p.bodyJaxpr(), in, bodyDims, size);
        NDArray[] out = new NDArray[n];
        for (int i = 0; i < n; i++) out[i] = cb[i] ? Batching.moveToFront(b.outs()[i], b.dims()[i], size) : b.outs()[i];
        return out;
      });
      NDArray[] condConsts = SubPrograms.concat(cond.consts(), cc);
      NDArray[] bodyConsts = SubPrograms.concat(body.consts(), bc);
      for (int i = 0; i < n; i++) outDims[i] = cb[i] ? 0 : Batched.NOT_MAPPED;
      return new Batched(bind(new P(condConsts.length, cond.program(), bodyConsts.length, body.program()),
          SubPrograms.concat(condConsts, bodyConsts, carries)), outDims);
    }
    // A batched predicate: loop while any element's holds; finished elements keep their carries.
    Arrays.fill(cb, true);
    NDArray[] all = SubPrograms.carries(init, initDims, cb, size);
    int[] condDims = concat(ccDims, new int[n]), bodyDims = concat(bcDims, new int[n]);
    ArrayType[] carryTypes = SubPrograms.types(all);
    SubPrograms.Closed cond = SubPrograms.trace("while vmap cond (any)", SubPrograms.concat(SubPrograms.types(cc), carryTypes), in -> {
      NDArray pred = SubPrograms.batchToFront(p.condJaxpr(), in, condDims, size)[0];
      NDArray anyTrue = Ops.reduceMax(Ops.convert(pred, DType.INT32), 0);
      return new NDArray[] {Ops.gt(anyTrue, Ops.scalar(0, DType.INT32))};
    });
    ArrayType[] bodyIn = SubPrograms.concat(SubPrograms.types(cc), SubPrograms.types(bc), carryTypes);
    SubPrograms.Closed body = SubPrograms.trace("while vmap body (masked)", bodyIn, in -> {
      NDArray[] c = Arrays.copyOfRange(in, nc + nb, in.length);
      NDArray pred = SubPrograms.batchToFront(p.condJaxpr(), SubPrograms.concat(Arrays.copyOfRange(in, 0, nc), c), condDims, size)[0];
      NDArray[] next = SubPrograms.batchToFront(p.bodyJaxpr(), Arrays.copyOfRange(in, nc, in.length), bodyDims, size);
      NDArray[] out = new NDArray[n];
      for (int i = 0; i < n; i++) out[i] = Ops.select(Ops.broadcastInDim(pred, c[i].shape(), new int[] {0}), next[i], c[i]);
      return out;
    });
    NDArray[] condConsts = SubPrograms.concat(cond.consts(), cc);
    NDArray[] bodyConsts = SubPrograms.concat(body.consts(), cc, bc);
    return new Batched(bind(new P(condConsts.length, cond.program(), bodyConsts.length, body.program()),
        SubPrograms.concat(condConsts, bodyConsts, all)), outDims);
  }

  /** Binds a while loop of traced cond and body on the carries (the entry point used by Lax). */
  static NDArray[] apply(SubPrograms.Closed cond, SubPrograms.Closed body, NDArray[] init) {
    return Primitives.WHILE.bind(new P(cond.consts().length, cond.program(), body.consts().length, body.program()),
        SubPrograms.concat(cond.consts(), body.consts(), init));
  }

  private static ArrayType[] concat(ArrayType[] a, ArrayType[] b) {
    return SubPrograms.concat(a, b);
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
