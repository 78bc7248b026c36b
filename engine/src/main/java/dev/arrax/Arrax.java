package dev.arrax;

import dev.arrax.ad.Autodiff;
import dev.arrax.batching.Vmap;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.ir.Program;
import dev.arrax.primitives.Ops;
import dev.arrax.staging.Staging;
import java.util.Arrays;

/**
 * The transformations, as in JAX: {@link #grad}, {@link #vjp}, {@link #jvp}, {@link #vmap},
 * {@link #jit} and {@link #makeJaxpr}. Each takes a pure array function and returns another one, so
 * they compose in any order: {@code Arrax.jit(Arrax.vmap(Arrax.grad(f)))}.
 *
 * <pre>{@code
 * Fn loss = xs -> Np.sum(Np.tanh(xs[0]));
 * Fn dloss = Arrax.grad(loss);                      // 1 - tanh(x)^2
 * NDArray g = dloss.apply(NDArray.of(0.5, -1.0));
 * Fn perRow = Arrax.vmap(dloss);                    // one gradient per row of a matrix
 * }</pre>
 *
 * <p>Functions must be pure: the same inputs give the same outputs, with no side effects on the
 * arrays they see. Inside a transformation they receive tracers; Java control flow on array values
 * then fails with {@link ConcretizationException} (forward-mode {@link #jvp}/{@link #grad} still know values).
 */
public final class Arrax {
  private Arrax() {}

  // ---- tracing ----

  /** Traces {@code f} at the shapes and dtypes of {@code examples} and returns the program (printable, serializable). */
  public static Program makeJaxpr(Fn f, NDArray... examples) {
    checkArgs("makeJaxpr", examples);
    return Staging.trace("makeJaxpr", types(examples), in -> new NDArray[] {f.apply(in)});
  }

  /** {@link #makeJaxpr(Fn, NDArray...)} for a function with several outputs. */
  public static Program makeJaxprMulti(MultiFn f, NDArray... examples) {
    checkArgs("makeJaxpr", examples);
    return Staging.trace("makeJaxpr", types(examples), f::apply);
  }

  /** Several functions of the same arguments as one function with several outputs, traced together under jit. */
  public static MultiFn outputs(Fn... fns) {
    Fn[] copy = fns.clone();
    return args -> {
      NDArray[] out = new NDArray[copy.length];
      for (int i = 0; i < copy.length; i++) out[i] = copy[i].apply(args);
      return out;
    };
  }

  // ---- jit ----

  /** Traces once per input signature (shapes and dtypes), caches the program, and runs it. */
  public static Fn jit(Fn f) {
    return jit(f, new int[0]);
  }

  /**
   * As {@link #jit(Fn)}, with the listed arguments static: their values are baked into the trace and
   * the cache key, so Java control flow on them works; a new value retraces.
   */
  public static Fn jit(Fn f, int... staticArgnums) {
    MultiFn m = Jit.of(args -> new NDArray[] {f.apply(args)}, staticArgnums);
    return args -> m.apply(args)[0];
  }

  /**
   * As {@link #jit(Fn)} on a chosen backend: {@code "cpu"}, {@code "gpu"} (the arrax-gpu-rapids module,
   * RAPIDS cuDF) or {@code "auto"} (the GPU where it is usable and claims the whole program, else the CPU).
   * Without a backend, jit uses {@code -Darrax.backend} (default {@code cpu}). A backend that is not usable
   * here fails now, naming why.
   */
  public static Fn jit(Fn f, String backend) {
    MultiFn m = Jit.of(args -> new NDArray[] {f.apply(args)}, new int[0], requireBackendName(backend));
    return args -> m.apply(args)[0];
  }

  /**
   * Where {@code f} would run at these argument shapes, segment by segment, on the default backend
   * ({@code -Darrax.backend}, default {@code cpu}); where a backend declines a segment, the reason. Nothing
   * runs. Works for any function: a jitted one is explained as the program it compiles.
   */
  public static String explain(Fn f, NDArray... examples) {
    return explain(f, dev.arrax.backend.Backends.defaultName(), examples);
  }

  /** {@link #explain(Fn, NDArray...)} on a named backend ({@code cpu}, {@code gpu}, {@code auto}). */
  public static String explain(Fn f, String backend, NDArray... examples) {
    Program p = dev.arrax.compile.Passes.optimize(makeJaxpr(f, examples));
    return dev.arrax.backend.Backends.place(dev.arrax.backend.ProgramPlan.of(p), requireBackendName(backend)).explain();
  }

  /** {@link #explain(Fn, String, NDArray...)} for a function with several outputs. */
  public static String explainMulti(MultiFn f, String backend, NDArray... examples) {
    Program p = dev.arrax.compile.Passes.optimize(makeJaxprMulti(f, examples));
    return dev.arrax.backend.Backends.place(dev.arrax.backend.ProgramPlan.of(p), requireBackendName(backend)).explain();
  }

  private static String requireBackendName(String backend) {
    if (backend == null) throw new ArraxException("backend: null; use \"cpu\", \"gpu\" or \"auto\"");
    return backend;
  }

  // ---- vmap ----

  /**
   * The {@code inAxes} entry of an argument that is not mapped (JAX's {@code None} in {@code in_axes}):
   * {@code Arrax.vmap(f, Arrax.UNMAPPED, 0)} is {@code jax.vmap(f, in_axes=(None, 0))}. It is {@code null};
   * the name only makes calls read like JAX's.
   */
  public static final Integer UNMAPPED = null;

  /** Maps {@code f} over axis 0 of every argument; the output is batched along axis 0 ({@code jax.vmap(f)}). */
  public static Fn vmap(Fn f) {
    requireFn("vmap", f);
    return args -> Vmap.apply(single(f), axesOrDefault(new Integer[0], args), new Integer[] {0}, args)[0];
  }

  /**
   * Maps argument i over axis {@code inAxes[i]} (negative counts from the end), or not at all where the
   * entry is {@code null} / {@link #UNMAPPED}: {@code jax.vmap(f, in_axes=(None, 0))} is
   * {@code Arrax.vmap(f, null, 0)} in Java and {@code Arrax.vmap(f, null, 0)} in Scala. The output is
   * batched along axis 0; to place it elsewhere use {@link #vmapOut}. Give one entry per argument (or
   * none, meaning axis 0 for every argument). A lone {@code null} ({@code Arrax.vmap(f, null)}) is read
   * by Java as a null array and fails with an explanation; write {@code new Integer[] {null}} for one
   * unmapped argument (which is still an error: at least one argument must be mapped).
   */
  public static Fn vmap(Fn f, Integer... inAxes) {
    requireFn("vmap", f);
    Integer[] axes = copyAxes("vmap", inAxes);
    return args -> Vmap.apply(single(f), axesOrDefault(axes, args), new Integer[] {0}, args)[0];
  }

  /**
   * As {@link #vmap(Fn, Integer...)}, placing the batch axis of the output at {@code outAxis}
   * ({@code jax.vmap(f, in_axes, out_axes)}); a {@code null} {@code outAxis} requires the output not to
   * depend on any mapped argument. A separate name rather than an overload of {@code vmap}, so that
   * {@code vmap(f, null, 0)} can only mean "argument 0 unmapped, argument 1 on axis 0".
   *
   * <pre>{@code
   * Fn columns = Arrax.vmapOut(xs -> Np.exp(xs[0]), 1, 0);   // jax.vmap(exp, in_axes=0, out_axes=1)
   * }</pre>
   */
  public static Fn vmapOut(Fn f, Integer outAxis, Integer... inAxes) {
    requireFn("vmapOut", f);
    Integer[] axes = copyAxes("vmapOut", inAxes);
    return args -> Vmap.apply(single(f), axesOrDefault(axes, args), new Integer[] {outAxis}, args)[0];
  }

  private static void requireFn(String op, Object f) {
    if (f == null) throw new ArraxException(op + ": the function is null" + dev.arrax.core.CallSite.describe());
  }

  /** A defensive copy; a null array (Java's reading of a lone null argument) is a user error with the fix. */
  static Integer[] copyAxes(String op, Integer[] inAxes) {
    if (inAxes == null) {
      throw new ArraxException(op + ": inAxes is null. Java passes a lone null as the whole inAxes array, not as one entry: "
          + "give one entry per argument, e.g. " + op + "(f, null, 0) for jax.vmap(f, in_axes=(None, 0)), or new Integer[] {null} "
          + "for a single unmapped argument (at least one argument must be mapped)" + dev.arrax.core.CallSite.describe());
    }
    return inAxes.clone();
  }

  /** Null arguments fail here, naming the transformation and the position, instead of deep inside it. */
  static void checkArgs(String op, NDArray[] args) {
    if (args == null) throw new ArraxException(op + ": the argument array is null");
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null) throw new ArraxException(op + ": argument " + i + " is null; pass an NDArray" + dev.arrax.core.CallSite.describe());
    }
  }

  /** The given axes, or axis 0 for every argument when none were given; checks the call's arguments first. */
  static Integer[] axesOrDefault(Integer[] inAxes, NDArray[] args) {
    if (args == null) throw new ArraxException("vmap: the argument array is null; call the mapped function with NDArrays" + dev.arrax.core.CallSite.describe());
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null) {
        throw new ArraxException("vmap: argument " + i + " is null; pass an NDArray (an unmapped argument is still an array: "
            + "mark it unmapped with a null entry in inAxes, not a null argument)" + dev.arrax.core.CallSite.describe());
      }
    }
    if (inAxes.length > 0) return inAxes;
    Integer[] a = new Integer[args.length];
    Arrays.fill(a, 0);
    return a;
  }

  // ---- differentiation ----

  /** The gradient of a scalar-valued {@code f} with respect to argument 0. */
  public static Fn grad(Fn f) {
    return grad(f, 0);
  }

  /** The gradient of a scalar-valued {@code f} with respect to argument {@code argnum}. */
  public static Fn grad(Fn f, int argnum) {
    MultiFn vg = valueAndGrad(f, argnum);
    return args -> vg.apply(args)[1];
  }

  /** The value of {@code f} and its gradient with respect to each of {@code argnums} (default: argument 0), in one pass. */
  public static MultiFn valueAndGrad(Fn f, int... argnums) {
    int[] argnumsGiven = argnums.length == 0 ? new int[] {0} : argnums.clone();
    return args -> {
      checkArgs("grad", args);
      int[] wrt = new int[argnumsGiven.length];
      for (int i = 0; i < wrt.length; i++) wrt[i] = argnumsGiven[i] < 0 ? argnumsGiven[i] + args.length : argnumsGiven[i];
      Autodiff.requireFloatInputs("grad", args, wrt);
      Autodiff.Linearized lin = Autodiff.linearize("grad", single(f), args, wrt);
      NDArray y = lin.primals()[0];
      if (y.ndim() != 0) {
        throw new ShapeException("grad: only defined for scalar-output functions, but the output has type " + y.type()
            + ". Reduce it first (Np.sum / Np.mean), or use jacrev/vjp for non-scalar outputs.");
      }
      if (!y.dtype().isFloating()) {
        throw new ArraxException("grad: requires a real-valued floating output, but the output is " + y.type());
      }
      NDArray[] g = Autodiff.pullback(lin, new NDArray[] {Ops.scalar(1.0, y.dtype())});
      NDArray[] out = new NDArray[g.length + 1];
      out[0] = y;
      System.arraycopy(g, 0, out, 1, g.length);
      return out;
    };
  }

  /**
   * {@code jax.grad(f, argnums, has_aux=True)}: {@code f} returns {@code {loss, aux...}} (a scalar
   * floating loss first, then any number of auxiliary arrays, e.g. predictions or metrics); the result
   * returns {@code {grad for argnums[0], grad for argnums[1], ..., aux...}}. The aux arrays are returned
   * as computed and are not differentiated (their cotangent is zero), as in JAX. Default argnums: 0.
   *
   * <pre>{@code
   * MultiFn lossAndPreds = a -> { NDArray p = Np.dot(a[1], a[0]); return new NDArray[] {Np.mean(Np.square(p.sub(a[2]))), p}; };
   * NDArray[] r = Arrax.gradWithAux(lossAndPreds).apply(w, x, y);   // r[0]: d loss / d w, r[1]: the predictions
   * }</pre>
   */
  public static MultiFn gradWithAux(MultiFn f, int... argnums) {
    MultiFn vg = valueAndGradWithAux(f, argnums);
    return args -> {
      NDArray[] r = vg.apply(args);
      return Arrays.copyOfRange(r, 1, r.length);
    };
  }

  /**
   * {@code jax.value_and_grad(f, argnums, has_aux=True)}: {@code f} returns {@code {loss, aux...}}; the
   * result returns {@code {loss, grad for each argnum..., aux...}} (JAX's {@code ((loss, aux), grads)},
   * flattened with the fixed-size part first).
   */
  public static MultiFn valueAndGradWithAux(MultiFn f, int... argnums) {
    if (f == null) throw new ArraxException("valueAndGradWithAux: the function is null" + dev.arrax.core.CallSite.describe());
    int[] argnumsGiven = argnums.length == 0 ? new int[] {0} : argnums.clone();
    return args -> {
      checkArgs("grad (has_aux)", args);
      int[] wrt = new int[argnumsGiven.length];
      for (int i = 0; i < wrt.length; i++) wrt[i] = argnumsGiven[i] < 0 ? argnumsGiven[i] + args.length : argnumsGiven[i];
      Autodiff.requireFloatInputs("grad", args, wrt);
      Autodiff.Linearized lin = Autodiff.linearize("grad", in -> {
        NDArray[] out = f.apply(in);
        if (out == null || out.length == 0) {
          throw new ArraxException("grad (has_aux): the function must return {loss, aux...}, got " + (out == null ? "null" : "no arrays")
              + dev.arrax.core.CallSite.describe());
        }
        for (int i = 0; i < out.length; i++) {
          if (out[i] == null) throw new ArraxException("grad (has_aux): output " + i + " is null" + dev.arrax.core.CallSite.describe());
        }
        return out;
      }, args, wrt);
      NDArray[] outs = lin.primals();
      NDArray y = outs[0];
      if (y.ndim() != 0) {
        throw new ShapeException("grad (has_aux): the first output (the loss) must be a scalar, but it has type " + y.type()
            + ". Reduce it first (Np.sum / Np.mean); auxiliary outputs follow it and may have any shape.");
      }
      if (!y.dtype().isFloating()) throw new ArraxException("grad (has_aux): the loss must be floating, but it is " + y.type());
      NDArray[] cts = new NDArray[outs.length];
      cts[0] = Ops.scalar(1.0, y.dtype());
      for (int i = 1; i < outs.length; i++) cts[i] = new dev.arrax.core.SymbolicZero(outs[i].type());
      NDArray[] g = Autodiff.pullback(lin, cts);
      NDArray[] r = new NDArray[1 + g.length + outs.length - 1];
      r[0] = y;
      System.arraycopy(g, 0, r, 1, g.length);
      System.arraycopy(outs, 1, r, 1 + g.length, outs.length - 1);
      return r;
    };
  }

  // ---- rematerialization ----

  /**
   * {@code jax.checkpoint(f)} (alias {@code jax.remat}): the same function, whose intermediate values
   * reverse mode does not store for the backward pass but recomputes from f's inputs when the backward
   * pass reaches f. Memory for time: use it around a block whose activations are large (a layer of a
   * deep network, the body of a long scan). Values and derivatives are those of {@code f}; forward mode,
   * vmap and jit are unaffected (see {@link dev.arrax.primitives.Checkpoint} for how, and for the one
   * difference from JAX: no optimization barrier under jit).
   *
   * <pre>{@code
   * Fn block = Arrax.checkpoint(a -> Np.tanh(Np.matmul(Np.tanh(Np.matmul(a[0], a[1])), a[1])));
   * Fn g = Arrax.grad(a -> Np.sum(block.apply(a[0], a[1])), 1);
   * }</pre>
   */
  public static Fn checkpoint(Fn f) {
    requireFn("checkpoint", f);
    return args -> {
      checkArgs("checkpoint", args);
      return dev.arrax.primitives.Checkpoint.apply("checkpoint", single(f), args)[0];
    };
  }

  /** Result of {@link #jvp}: the output and its directional derivative. */
  public record JvpResult(NDArray primalOut, NDArray tangentOut) {}

  /** Forward mode: {@code f(primals)} and the derivative of f at primals in direction {@code tangents}. */
  public static JvpResult jvp(Fn f, NDArray[] primals, NDArray[] tangents) {
    checkArgs("jvp", primals);
    checkArgs("jvp (tangents)", tangents);
    Autodiff.JvpOut r = Autodiff.jvp(single(f), primals, tangents);
    return new JvpResult(r.primals()[0], r.tangents()[0]);
  }

  /** Pulls an output cotangent back to one cotangent per input. */
  @FunctionalInterface
  public interface Pullback {
    /**
     * Returns {@code d(output)/d(input_i)} contracted with {@code cotangent}, one array per input, each of
     * that input's shape.
     */
    NDArray[] apply(NDArray cotangent);
  }

  /** Result of {@link #vjp}: the output and the pullback. */
  public record VjpResult(NDArray value, Pullback pullback) {}

  /** Reverse mode: {@code f(primals)} and a function mapping an output cotangent to the input cotangents. */
  public static VjpResult vjp(Fn f, NDArray... primals) {
    checkArgs("vjp", primals);
    int[] wrt = floatArgs(primals);
    Autodiff.Linearized lin = Autodiff.linearize("vjp", single(f), primals, wrt);
    return new VjpResult(lin.primals()[0], ct -> scatter(primals, wrt, Autodiff.pullback(lin, new NDArray[] {ct})));
  }

  /** Result of {@link #linearize}: the output and the linear map of input tangents to the output tangent. */
  public record LinearizeResult(NDArray value, Fn jvpFn) {}

  /** The output of f and its linearization at {@code primals}, evaluated later for any tangents. */
  public static LinearizeResult linearize(Fn f, NDArray... primals) {
    checkArgs("linearize", primals);
    int[] wrt = floatArgs(primals);
    Autodiff.Linearized lin = Autodiff.linearize("linearize", single(f), primals, wrt);
    return new LinearizeResult(lin.primals()[0], ts -> {
      if (ts.length != primals.length) throw new ArraxException("linearize: give one tangent per primal (" + primals.length + "), got " + ts.length);
      NDArray[] sel = new NDArray[wrt.length];
      for (int i = 0; i < wrt.length; i++) sel[i] = ts[wrt[i]];
      return lin.linear().call(sel)[0];
    });
  }

  /** The Jacobian of f with respect to argument 0 by forward mode; shape {@code out.shape + in.shape}. */
  public static Fn jacfwd(Fn f) {
    return args -> {
      NDArray x = args[0];
      Autodiff.requireFloatInputs("jacfwd", args, new int[] {0});
      Fn push = ts -> jvp(xs -> f.apply(withArg0(args, xs[0])), new NDArray[] {x}, new NDArray[] {ts[0]}).tangentOut();
      NDArray basis = basis(x.type());
      NDArray cols = vmapOut(push, -1, 0).apply(basis);
      int[] outShape = Arrays.copyOf(cols.shape(), cols.ndim() - 1);
      return cols.reshape(concat(outShape, x.shape()));
    };
  }

  /** The Jacobian of f with respect to argument 0 by reverse mode; shape {@code out.shape + in.shape}. */
  public static Fn jacrev(Fn f) {
    return args -> {
      Autodiff.requireFloatInputs("jacrev", args, new int[] {0});
      Autodiff.Linearized lin = Autodiff.linearize("jacrev", single(f), args, new int[] {0});
      NDArray y = lin.primals()[0];
      Fn pull = cts -> Autodiff.pullback(lin, new NDArray[] {cts[0]})[0];
      NDArray rows = vmap(pull).apply(basis(y.type()));
      return rows.reshape(concat(y.shape(), args[0].shape()));
    };
  }

  /** The matrix of second derivatives of a scalar f: {@code jacfwd(jacrev(f))}. */
  public static Fn hessian(Fn f) {
    return jacfwd(jacrev(f));
  }

  // ---- custom derivatives ----

  /** A forward-mode rule: the output and its tangent for given primals and tangents (zeros where an input has none). */
  @FunctionalInterface
  public interface JvpRule {
    /** The output and its tangent at {@code primals}; the tangent must be linear in {@code tangents}. */
    JvpResult apply(NDArray[] primals, NDArray[] tangents);
  }

  /**
   * {@code f} with a user-defined derivative (jax.custom_jvp), for numerically stable or opaque
   * functions. The rule must be linear in the tangents; grad, jvp, vmap, jit and their compositions
   * use it instead of differentiating f's body.
   *
   * <pre>{@code
   * Fn log1pexp = Arrax.customJvp(xs -> Np.log1p(Np.exp(xs[0])),
   *     (p, t) -> new Arrax.JvpResult(Np.log1p(Np.exp(p[0])), t[0].mul(Nn.sigmoid(p[0]))));
   * }</pre>
   */
  public static Fn customJvp(Fn f, JvpRule rule) {
    dev.arrax.ad.CustomFunction cf = dev.arrax.ad.CustomFunction.withJvp(f::apply, (p, t) -> {
      JvpResult r = rule.apply(p, t);
      return new NDArray[] {r.primalOut(), r.tangentOut()};
    });
    return cf::apply;
  }

  /** The forward half of a custom VJP: {@code {output, residuals...}}. */
  @FunctionalInterface
  public interface VjpForward {
    /** Runs f forward: element 0 is the output, the rest are the residuals kept for {@link VjpBackward}. */
    NDArray[] apply(NDArray... primals);
  }

  /** The backward half of a custom VJP: one cotangent per input from the residuals and the output cotangent. */
  @FunctionalInterface
  public interface VjpBackward {
    /**
     * The input cotangents, one per primal input and of its shape, from the residuals and the output's
     * cotangent.
     */
    NDArray[] apply(NDArray[] residuals, NDArray cotangent);
  }

  /**
   * {@code f} with a user-defined reverse-mode rule (jax.custom_vjp): {@code fwd} computes the output
   * and the residuals it keeps, {@code bwd} maps residuals and the output cotangent to input
   * cotangents. Honoured by grad, vjp, jacrev, vmap and jit; forward mode (jvp) is an error, as in JAX.
   */
  public static Fn customVjp(Fn f, VjpForward fwd, VjpBackward bwd) {
    dev.arrax.ad.CustomFunction cf = dev.arrax.ad.CustomFunction.withVjp(f::apply, fwd::apply, bwd::apply);
    return cf::apply;
  }

  // ---- parameter trees ----

  /** A scalar loss of a parameter tree and data arrays. */
  @FunctionalInterface
  public interface TreeLoss<T> {
    /** The loss, a scalar array, at {@code params} on the given data. */
    NDArray apply(T params, NDArray... data);
  }

  /** The gradient of a {@link TreeLoss}: a tree of the parameters' structure. */
  @FunctionalInterface
  public interface TreeGrad<T> {
    /**
     * The gradient of the loss with respect to every leaf of {@code params}, in a tree of the same
     * structure.
     */
    T apply(T params, NDArray... data);
  }

  /** A loss value and the gradient tree. */
  public record ValueAndGradTree<T>(NDArray value, T grad) {}

  /**
   * The gradient of a loss with respect to a parameter tree ({@link Tree}): {@code Map.of("W1", .., "b1", ..)}
   * in, a map with the same keys out.
   */
  public static <T> TreeGrad<T> gradTree(TreeLoss<T> f) {
    return (params, data) -> valueAndGradTree(f, params, data).grad();
  }

  /** The loss and its gradient tree in one pass. */
  @SuppressWarnings("unchecked")
  public static <T> ValueAndGradTree<T> valueAndGradTree(TreeLoss<T> f, T params, NDArray... data) {
    Tree.Flat flat = Tree.flatten(params);
    int leaves = flat.leaves().size();
    if (leaves == 0) throw new ArraxException("gradTree: the parameter tree " + flat.def() + " has no array leaves");
    Fn g = args -> f.apply((T) Tree.unflatten(flat.def(), Arrays.asList(args).subList(0, leaves)),
        Arrays.copyOfRange(args, leaves, args.length));
    NDArray[] all = new NDArray[leaves + data.length];
    for (int i = 0; i < leaves; i++) all[i] = flat.leaves().get(i);
    System.arraycopy(data, 0, all, leaves, data.length);
    NDArray[] r = valueAndGrad(g, java.util.stream.IntStream.range(0, leaves).toArray()).apply(all);
    return new ValueAndGradTree<>(r[0], (T) Tree.unflatten(flat.def(), Arrays.asList(r).subList(1, leaves + 1)));
  }

  // ---- helpers ----

  private static java.util.function.Function<NDArray[], NDArray[]> single(Fn f) {
    return in -> new NDArray[] {f.apply(in)};
  }

  private static ArrayType[] types(NDArray[] xs) {
    ArrayType[] t = new ArrayType[xs.length];
    for (int i = 0; i < xs.length; i++) t[i] = xs[i].type();
    return t;
  }

  /** Identity rows reshaped to {@code [n, *shape]}: the standard basis of the space of arrays of that type. */
  private static NDArray basis(ArrayType t) {
    int n = t.size();
    ConcreteArray b = ConcreteArray.zeros(new ArrayType(t.dtype(), concat(new int[] {n}, t.shape())));
    for (int i = 0; i < n; i++) b.buffer().setDouble(i * n + i, 1.0);
    return b;
  }

  private static NDArray[] withArg0(NDArray[] args, NDArray x) {
    NDArray[] a = args.clone();
    a[0] = x;
    return a;
  }

  private static int[] floatArgs(NDArray[] xs) {
    return java.util.stream.IntStream.range(0, xs.length).filter(i -> xs[i].dtype().isFloating()).toArray();
  }

  /** One cotangent per primal: computed ones where differentiated, zeros elsewhere (JAX's float0 stand-in). */
  private static NDArray[] scatter(NDArray[] primals, int[] wrt, NDArray[] cts) {
    NDArray[] out = new NDArray[primals.length];
    for (int i = 0; i < out.length; i++) out[i] = ConcreteArray.zeros(primals[i].type());
    for (int i = 0; i < wrt.length; i++) out[wrt[i]] = cts[i];
    return out;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
