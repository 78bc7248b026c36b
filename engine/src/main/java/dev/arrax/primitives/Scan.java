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
import dev.arrax.core.UndefinedPrimal;
import dev.arrax.ir.Program;
import java.util.Arrays;

/**
 * {@code scan[reverse=.. length=.. num_consts=.. num_carry=.. jaxpr=..] consts... init... xs...}: a loop
 * of static length over the leading axis of the {@code xs} (JAX's {@code scan_p}):
 * <pre>
 * carry = init
 * for i in (reverse ? length-1 .. 0 : 0 .. length-1):
 *   carry, y = jaxpr(consts, carry, xs[i])
 *   ys[i] = y
 * return carry, ys
 * </pre>
 *
 * <ul>
 *   <li>JVP: a primal scan that also stacks the carry each iteration starts from (the residuals), then
 *       a tangent scan over (primal xs, stacked carries, tangent xs) whose body is the body's JVP
 *       keeping only tangents. The tangent scan is linear in its tangent inputs, so reverse mode
 *       stages it into the linear program; its body recomputes the primal step from the residuals.</li>
 *   <li>transpose: the transpose of a linear scan is a scan in the opposite direction whose carry is
 *       the carry's cotangent plus accumulated cotangents of the linear constants, and whose body is
 *       the backward pass of the body. The carries of a scan inside a linear program are tangents, so
 *       they are treated as linear even when their initial value is a known zero.</li>
 *   <li>vmap: carries are batched at axis 0, xs and ys keep the scan axis first and the batch axis
 *       second; the body is the batched body.</li>
 * </ul>
 */
public final class Scan extends Primitive<Scan.P> {
  /**
   * Parameters: scan from the end if {@code reverse}; {@code length} iterations; the body {@code jaxpr}
   * takes {@code numConsts} constants, {@code numCarry} carries and one slice of each xs, and returns the
   * carries and one slice of each ys.
   */
  public record P(boolean reverse, int length, int numConsts, int numCarry, Program jaxpr) implements Params {
    /**
     * Checks the parameters.
     * @throws IllegalArgumentException if the body has constants (it must be closed)
     */
    public P {
      if (!jaxpr.constVars().isEmpty()) throw new IllegalArgumentException("scan: the body must be closed (constants passed as operands)");
    }
  }

  Scan() {
    super("scan", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int nc = p.numConsts(), nk = p.numCarry(), len = p.length();
    if (len < 0) throw new ShapeException("scan: negative length " + len);
    if (nc < 0 || nk < 0 || nc + nk > in.length) {
      throw new ShapeException("scan: " + nc + " constants and " + nk + " carries but " + in.length + " operands");
    }
    ArrayType[] bodyIn = new ArrayType[in.length];
    for (int i = 0; i < in.length; i++) {
      if (i < nc + nk) {
        bodyIn[i] = in[i];
        continue;
      }
      if (in[i].rank() == 0 || in[i].dim(0) != len) {
        throw new ShapeException("scan: xs " + (i - nc - nk) + " has type " + in[i] + " but the scan has length " + len
            + "; every xs needs a leading axis of that length");
      }
      bodyIn[i] = in[i].withShape(Arrays.copyOfRange(in[i].shape(), 1, in[i].rank()));
    }
    Program body = p.jaxpr();
    if (!Arrays.equals(body.inTypes(), bodyIn)) {
      throw new ShapeException("scan: the body takes " + Arrays.toString(body.inTypes()) + " but is given " + Arrays.toString(bodyIn)
          + " (constants, carries, slices of xs)");
    }
    ArrayType[] bodyOut = body.outTypes();
    ArrayType[] carries = Arrays.copyOfRange(in, nc, nc + nk);
    if (bodyOut.length < nk || !Arrays.equals(Arrays.copyOfRange(bodyOut, 0, nk), carries)) {
      throw new ShapeException("scan: the body returns " + Arrays.toString(bodyOut) + " but the carries are " + Arrays.toString(carries)
          + "; it must return the new carries (same shapes and dtypes) followed by the per-step outputs");
    }
    ArrayType[] out = new ArrayType[bodyOut.length];
    for (int i = 0; i < out.length; i++) out[i] = i < nk ? bodyOut[i] : bodyOut[i].withShape(Shapes.insert(bodyOut[i].shape(), 0, len));
    return out;
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int nc = p.numConsts(), nk = p.numCarry(), len = p.length();
    ArrayType[] outTypes = outTypes(types(in), p);
    NDArray[] consts = Arrays.copyOfRange(in, 0, nc, NDArray[].class);
    NDArray[] carry = Arrays.copyOfRange(in, nc, nc + nk, NDArray[].class);
    int nx = in.length - nc - nk, ny = outTypes.length - nk;
    ConcreteArray[] ys = new ConcreteArray[ny];
    for (int j = 0; j < ny; j++) ys[j] = ConcreteArray.zeros(outTypes[nk + j]);
    for (int step = 0; step < len; step++) {
      int i = p.reverse() ? len - 1 - step : step;
      NDArray[] x = new NDArray[nx];
      for (int j = 0; j < nx; j++) x[j] = SubPrograms.indexAxis0(in[nc + nk + j], i);
      NDArray[] out = SubPrograms.evaluate(p.jaxpr(), SubPrograms.concat(consts, carry, x));
      carry = Arrays.copyOfRange(out, 0, nk);
      for (int j = 0; j < ny; j++) {
        Buffer y = ((ConcreteArray) out[nk + j]).buffer();
        ys[j].buffer().copyRange(i * y.size(), y, 0, y.size());
      }
    }
    return SubPrograms.concat(carry, ys);
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, P p) {
    int nc = p.numConsts(), nk = p.numCarry(), nx = primals.length - nc - nk;
    Program body = p.jaxpr();
    NDArray[] consts = Arrays.copyOfRange(primals, 0, nc);
    NDArray[] init = Arrays.copyOfRange(primals, nc, nc + nk);
    NDArray[] xs = Arrays.copyOfRange(primals, nc + nk, primals.length);
    boolean[] nzC = nonzero(consts, Arrays.copyOfRange(tangents, 0, nc));
    boolean[] nzX = nonzero(xs, Arrays.copyOfRange(tangents, nc + nk, tangents.length));
    boolean[] fk = new boolean[nk];
    boolean any = SubPrograms.count(nzC) + SubPrograms.count(nzX) > 0;
    for (int i = 0; i < nk; i++) {
      fk[i] = init[i].dtype().isFloating();
      any |= fk[i] && !SymbolicZero.is(tangents[nc + i]);
    }
    ArrayType[] bodyOut = body.outTypes();
    int ny = bodyOut.length - nk;
    boolean[] fy = new boolean[ny];
    for (int i = 0; i < ny; i++) fy[i] = bodyOut[nk + i].dtype().isFloating();
    if (!any || SubPrograms.count(fk) + SubPrograms.count(fy) == 0) {
      NDArray[] outP = bind(p, primals);
      return new JvpResult(outP, zerosLike(outP));
    }

    // 1. The primal scan, also stacking the carry each step starts from.
    Program withResiduals = new Program(body.inVars(), body.constVars(), body.constValues(), body.eqns(),
        concat(body.outs(), body.inVars().subList(nc, nc + nk)));
    NDArray[] primalOut = bind(new P(p.reverse(), p.length(), nc, nk, withResiduals), primals);
    NDArray[] outP = Arrays.copyOfRange(primalOut, 0, nk + ny);
    NDArray[] stackedCarries = Arrays.copyOfRange(primalOut, nk + ny, primalOut.length);

    // 2. The tangent scan: constants (consts, const tangents), carries (carry tangents),
    //    xs (xs, stacked carries, xs tangents).
    NDArray[] constT = SubPrograms.select(Arrays.copyOfRange(tangents, 0, nc), nzC);
    NDArray[] carryT = new NDArray[SubPrograms.count(fk)];
    for (int i = 0, j = 0; i < nk; i++) if (fk[i]) carryT[j++] = Ops.instantiate(tangents[nc + i]);
    NDArray[] xsT = SubPrograms.select(Arrays.copyOfRange(tangents, nc + nk, tangents.length), nzX);
    NDArray[] tConsts = SubPrograms.concat(consts, constT);
    NDArray[] tXs = SubPrograms.concat(xs, stackedCarries, xsT);
    ArrayType[] tBodyIn = SubPrograms.concat(SubPrograms.types(tConsts), SubPrograms.types(carryT), sliceTypes(tXs));
    int nct = constT.length, nkt = carryT.length;
    SubPrograms.Closed tBody = SubPrograms.trace("scan jvp body", tBodyIn, in -> {
      int at = 0;
      NDArray[] c = Arrays.copyOfRange(in, at, at += nc);
      NDArray[] cT = expand(Arrays.copyOfRange(in, at, at += nct), nzC, c);
      NDArray[] kT = Arrays.copyOfRange(in, at, at += nkt);
      NDArray[] x = Arrays.copyOfRange(in, at, at += nx);
      NDArray[] k = Arrays.copyOfRange(in, at, at += nk);
      NDArray[] xT = expand(Arrays.copyOfRange(in, at, in.length), nzX, x);
      NDArray[] kTFull = expand(kT, fk, k);
      SubPrograms.JvpOut r = SubPrograms.jvp(body, SubPrograms.concat(c, k, x), SubPrograms.concat(cT, kTFull, xT));
      NDArray[] out = new NDArray[nkt + SubPrograms.count(fy)];
      int o = 0;
      for (int i = 0; i < nk; i++) if (fk[i]) out[o++] = Ops.instantiate(r.tangents()[i]);
      for (int i = 0; i < ny; i++) if (fy[i]) out[o++] = Ops.instantiate(r.tangents()[nk + i]);
      return out;
    });
    NDArray[] allConsts = SubPrograms.concat(tBody.consts(), tConsts);
    NDArray[] tOut = bind(new P(p.reverse(), p.length(), allConsts.length, nkt, tBody.program()), SubPrograms.concat(allConsts, carryT, tXs));
    NDArray[] outT = zerosLike(outP);
    int o = 0;
    for (int i = 0; i < nk; i++) if (fk[i]) outT[i] = tOut[o++];
    for (int i = 0; i < ny; i++) if (fy[i]) outT[nk + i] = tOut[o++];
    return new JvpResult(outP, outT);
  }

  @Override public NDArray[] transpose(NDArray[] cts, NDArray[] in, P p) {
    int nc = p.numConsts(), nk = p.numCarry(), nx = in.length - nc - nk;
    Program body = p.jaxpr();
    boolean[] linC = new boolean[nc], linX = new boolean[nx];
    for (int i = 0; i < nc; i++) linC[i] = UndefinedPrimal.is(in[i]);
    for (int i = 0; i < nx; i++) linX[i] = UndefinedPrimal.is(in[nc + nk + i]);
    NDArray[] knownC = SubPrograms.select(Arrays.copyOfRange(in, 0, nc), not(linC));
    NDArray[] knownX = SubPrograms.select(Arrays.copyOfRange(in, nc + nk, in.length), not(linX));
    int ny = cts.length - nk;
    boolean[] nzY = new boolean[ny];
    for (int i = 0; i < ny; i++) nzY[i] = !SymbolicZero.is(cts[nk + i]);
    NDArray[] ctCarry = new NDArray[nk];
    for (int i = 0; i < nk; i++) ctCarry[i] = Ops.instantiate(cts[i]);
    NDArray[] linConstTypes = SubPrograms.select(Arrays.copyOfRange(in, 0, nc), linC);
    NDArray[] acc = new NDArray[linConstTypes.length];
    for (int i = 0; i < acc.length; i++) acc[i] = Ops.zeros(linConstTypes[i].type());
    NDArray[] ctYs = SubPrograms.select(Arrays.copyOfRange(cts, nk, cts.length), nzY);

    // Which body inputs are linear: the linear constants, every carry, the linear xs.
    boolean[] linear = new boolean[body.inVars().size()];
    System.arraycopy(linC, 0, linear, 0, nc);
    Arrays.fill(linear, nc, nc + nk, true);
    System.arraycopy(linX, 0, linear, nc + nk, nx);
    int nkc = knownC.length, na = acc.length, nkx = knownX.length;
    ArrayType[] tIn = SubPrograms.concat(SubPrograms.types(knownC), SubPrograms.types(ctCarry), SubPrograms.types(acc),
        sliceTypes(knownX), sliceTypes(ctYs));
    ArrayType[] yTypes = Arrays.copyOfRange(body.outTypes(), nk, nk + ny);
    SubPrograms.Closed tBody = SubPrograms.trace("scan transpose body", tIn, xsIn -> {
      int at = 0;
      NDArray[] kc = Arrays.copyOfRange(xsIn, at, at += nkc);
      NDArray[] ck = Arrays.copyOfRange(xsIn, at, at += nk);
      NDArray[] a = Arrays.copyOfRange(xsIn, at, at += na);
      NDArray[] kx = Arrays.copyOfRange(xsIn, at, at += nkx);
      NDArray[] cy = Arrays.copyOfRange(xsIn, at, xsIn.length);
      NDArray[] outCts = new NDArray[nk + ny];
      System.arraycopy(ck, 0, outCts, 0, nk);
      for (int i = 0, j = 0; i < ny; i++) outCts[nk + i] = nzY[i] ? cy[j++] : new SymbolicZero(yTypes[i]);
      // cotangents of [linear consts, carries, linear xs]
      NDArray[] r = SubPrograms.transpose(body, linear, SubPrograms.concat(kc, kx), outCts);
      NDArray[] out = new NDArray[nk + na + (r.length - na - nk)];
      System.arraycopy(r, na, out, 0, nk);
      for (int i = 0; i < na; i++) out[nk + i] = Ops.add(a[i], r[i]);
      System.arraycopy(r, na + nk, out, nk + na, r.length - na - nk);
      return out;
    });
    NDArray[] tConsts = SubPrograms.concat(tBody.consts(), knownC);
    NDArray[] res = bind(new P(!p.reverse(), p.length(), tConsts.length, nk + na, tBody.program()),
        SubPrograms.concat(tConsts, ctCarry, acc, knownX, ctYs));
    NDArray[] result = new NDArray[in.length];
    for (int i = 0; i < nk; i++) if (UndefinedPrimal.is(in[nc + i])) result[nc + i] = res[i];
    for (int i = 0, j = nk; i < nc; i++) if (linC[i]) result[i] = res[j++];
    for (int i = 0, j = nk + na; i < nx; i++) if (linX[i]) result[nc + nk + i] = res[j++];
    return result;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    int nc = p.numConsts(), nk = p.numCarry(), nx = args.length - nc - nk;
    NDArray[] consts = Arrays.copyOfRange(args, 0, nc);
    NDArray[] init = Arrays.copyOfRange(args, nc, nc + nk);
    int[] initDims = Arrays.copyOfRange(dims, nc, nc + nk);
    NDArray[] xs = new NDArray[nx];
    int[] xDims = new int[nx];
    for (int i = 0; i < nx; i++) {
      int d = dims[nc + nk + i];
      // the scan axis stays first and the batch axis goes second, so that a step's slice has it first
      xs[i] = d == Batched.NOT_MAPPED ? args[nc + nk + i] : Batching.moveAxis(args[nc + nk + i], d, 1);
      xDims[i] = d == Batched.NOT_MAPPED ? Batched.NOT_MAPPED : 0;
    }
    int[] constDims = Arrays.copyOfRange(dims, 0, nc);
    ArrayType[] xSlices = sliceTypes(xs);
    boolean[] cb = SubPrograms.batchedCarries(p.jaxpr(), init, initDims, size,
        c -> SubPrograms.concat(SubPrograms.types(consts), c, xSlices), b -> concatInts(constDims, SubPrograms.frontDims(b), xDims));
    NDArray[] carries = SubPrograms.carries(init, initDims, cb, size);
    int[] bodyDims = concatInts(constDims, SubPrograms.frontDims(cb), xDims);
    int[] outDims = new int[nk + p.jaxpr().outs().size() - nk];
    ArrayType[] bodyIn = SubPrograms.concat(SubPrograms.types(consts), SubPrograms.types(carries), sliceTypes(xs));
    SubPrograms.Closed body = SubPrograms.trace("scan vmap body", bodyIn, in -> {
      Batched b = SubPrograms.batch(p.jaxpr(), in, bodyDims, size);
      NDArray[] out = new NDArray[b.outs().length];
      for (int i = 0; i < out.length; i++) {
        boolean batched = i < nk ? cb[i] : b.dims()[i] != Batched.NOT_MAPPED;
        out[i] = batched ? Batching.moveToFront(b.outs()[i], b.dims()[i], size) : b.outs()[i];
        // stacked outputs get the scan axis in front of the batch axis
        outDims[i] = !batched ? Batched.NOT_MAPPED : i < nk ? 0 : 1;
      }
      return out;
    });
    NDArray[] allConsts = SubPrograms.concat(body.consts(), consts);
    NDArray[] outs = bind(new P(p.reverse(), p.length(), allConsts.length, nk, body.program()), SubPrograms.concat(allConsts, carries, xs));
    return new Batched(outs, outDims);
  }

  private static int[] concatInts(int[]... parts) {
    int n = 0;
    for (int[] a : parts) n += a.length;
    int[] r = new int[n];
    int at = 0;
    for (int[] a : parts) {
      System.arraycopy(a, 0, r, at, a.length);
      at += a.length;
    }
    return r;
  }

  /** Binds a scan of a traced body (the entry point used by Lax): returns final carries, then stacked outputs. */
  static NDArray[] apply(SubPrograms.Closed body, NDArray[] init, NDArray[] xs, int length, boolean reverse) {
    NDArray[] consts = body.consts();
    return Primitives.SCAN.bind(new P(reverse, length, consts.length, init.length, body.program()), SubPrograms.concat(consts, init, xs));
  }

  /** The types of one step's slices of the xs. */
  static ArrayType[] sliceTypes(NDArray[] xs) {
    ArrayType[] t = new ArrayType[xs.length];
    for (int i = 0; i < xs.length; i++) t[i] = xs[i].type().withShape(Arrays.copyOfRange(xs[i].shape(), 1, xs[i].ndim()));
    return t;
  }

  private static boolean[] nonzero(NDArray[] primals, NDArray[] tangents) {
    boolean[] r = new boolean[primals.length];
    for (int i = 0; i < r.length; i++) r[i] = !SymbolicZero.is(tangents[i]) && primals[i].dtype().isFloating();
    return r;
  }

  /** Values at the masked positions, symbolic zeros (typed like {@code like}) elsewhere. */
  private static NDArray[] expand(NDArray[] given, boolean[] mask, NDArray[] like) {
    NDArray[] r = new NDArray[mask.length];
    for (int i = 0, j = 0; i < mask.length; i++) r[i] = mask[i] ? given[j++] : new SymbolicZero(like[i].type());
    return r;
  }

  private static NDArray[] zerosLike(NDArray[] xs) {
    NDArray[] r = new NDArray[xs.length];
    for (int i = 0; i < xs.length; i++) r[i] = new SymbolicZero(xs[i].type());
    return r;
  }

  private static boolean[] not(boolean[] m) {
    boolean[] r = new boolean[m.length];
    for (int i = 0; i < m.length; i++) r[i] = !m[i];
    return r;
  }

  private static ArrayType[] types(ConcreteArray[] xs) {
    ArrayType[] t = new ArrayType[xs.length];
    for (int i = 0; i < xs.length; i++) t[i] = xs[i].type();
    return t;
  }

  private static java.util.List<dev.arrax.ir.Atom> concat(java.util.List<dev.arrax.ir.Atom> a, java.util.List<dev.arrax.ir.Var> b) {
    java.util.List<dev.arrax.ir.Atom> r = new java.util.ArrayList<>(a);
    r.addAll(b);
    return r;
  }
}
