package dev.arrax.primitives;

import dev.arrax.core.ElementwiseOp;
import dev.arrax.core.Primitive;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The table of every primitive, by name. Adding a primitive means one class and one line here. The
 * names are those of JAX's lax primitives, so printed programs read like jaxprs.
 */
public final class Primitives {
  private Primitives() {}

  public static final UnaryElementwise NEG = new Neg();
  public static final UnaryElementwise EXP = new Exp();
  public static final UnaryElementwise LOG = new Log();
  public static final UnaryElementwise LOG1P = new Log1p();
  public static final UnaryElementwise EXPM1 = new Expm1();
  public static final UnaryElementwise TANH = new Tanh();
  public static final UnaryElementwise LOGISTIC = new Logistic();
  public static final UnaryElementwise SIN = new Sin();
  public static final UnaryElementwise COS = new Cos();
  public static final UnaryElementwise TAN = new Tan();
  public static final UnaryElementwise SQRT = new Sqrt();
  public static final UnaryElementwise ABS = new Abs();
  public static final UnaryElementwise SIGN = new Sign();
  public static final UnaryElementwise FLOOR = new Floor();
  public static final UnaryElementwise CEIL = new Ceil();
  public static final UnaryElementwise ERF = new Erf();
  public static final UnaryElementwise NOT = new Not();
  public static final UnaryElementwise IS_FINITE = new IsFinite();
  public static final UnaryElementwise STOP_GRADIENT = new StopGradient();

  public static final BinaryElementwise ADD = new Add();
  public static final BinaryElementwise SUB = new Sub();
  public static final BinaryElementwise MUL = new Mul();
  public static final BinaryElementwise DIV = new Div();
  public static final BinaryElementwise POW = new Pow();
  public static final BinaryElementwise MAX = new MinMax(true);
  public static final BinaryElementwise MIN = new MinMax(false);
  public static final BinaryElementwise EQ = new Compare(ElementwiseOp.EQ);
  public static final BinaryElementwise NE = new Compare(ElementwiseOp.NE);
  public static final BinaryElementwise LT = new Compare(ElementwiseOp.LT);
  public static final BinaryElementwise LE = new Compare(ElementwiseOp.LE);
  public static final BinaryElementwise GT = new Compare(ElementwiseOp.GT);
  public static final BinaryElementwise GE = new Compare(ElementwiseOp.GE);
  public static final BinaryElementwise AND = new Logical(true);
  public static final BinaryElementwise OR = new Logical(false);

  public static final Select SELECT_N = new Select();
  public static final ConvertElementType CONVERT_ELEMENT_TYPE = new ConvertElementType();
  public static final BroadcastInDim BROADCAST_IN_DIM = new BroadcastInDim();
  public static final Reshape RESHAPE = new Reshape();
  public static final Transpose TRANSPOSE = new Transpose();
  public static final Reduce REDUCE_SUM = new Reduce(Reduce.Kind.SUM);
  public static final Reduce REDUCE_MAX = new Reduce(Reduce.Kind.MAX);
  public static final Reduce REDUCE_MIN = new Reduce(Reduce.Kind.MIN);
  public static final Reduce REDUCE_PROD = new Reduce(Reduce.Kind.PROD);
  public static final ArgReduce ARGMAX = new ArgReduce(true);
  public static final ArgReduce ARGMIN = new ArgReduce(false);
  public static final DotGeneral DOT_GENERAL = new DotGeneral();
  public static final Slice SLICE = new Slice();
  public static final Pad PAD = new Pad();
  public static final Concatenate CONCATENATE = new Concatenate();
  public static final DynamicSlice DYNAMIC_SLICE = new DynamicSlice();
  public static final DynamicUpdateSlice DYNAMIC_UPDATE_SLICE = new DynamicUpdateSlice();
  public static final Iota IOTA = new Iota();
  public static final Cumsum CUMSUM = new Cumsum();
  public static final BinaryElementwise XOR = new Xor();
  public static final BinaryElementwise SHIFT_LEFT = new Shift(true);
  public static final BinaryElementwise SHIFT_RIGHT_LOGICAL = new Shift(false);
  public static final BinaryElementwise REM = new Rem();
  public static final UnaryElementwise ERF_INV = new ErfInv();
  public static final Fma FMA = new Fma();
  public static final BitcastConvertType BITCAST_CONVERT_TYPE = new BitcastConvertType();
  public static final Threefry2x32 THREEFRY2X32 = new Threefry2x32();
  public static final Sort SORT = new Sort();
  public static final Cond COND = new Cond();
  public static final WhileLoop WHILE = new WhileLoop();
  public static final Scan SCAN = new Scan();
  public static final Checkpoint CHECKPOINT = new Checkpoint();
  public static final OptimizationBarrier OPTIMIZATION_BARRIER = new OptimizationBarrier();
  public static final Gather GATHER = new Gather();
  public static final Scatter SCATTER = new Scatter(Scatter.Kind.SET);
  public static final Scatter SCATTER_ADD = new Scatter(Scatter.Kind.ADD);
  public static final Scatter SCATTER_MUL = new Scatter(Scatter.Kind.MUL);
  public static final Scatter SCATTER_MIN = new Scatter(Scatter.Kind.MIN);
  public static final Scatter SCATTER_MAX = new Scatter(Scatter.Kind.MAX);
  public static final Rev REV = new Rev();
  public static final CumulativeReduction CUMPROD = new CumulativeReduction(CumulativeReduction.Kind.PROD);
  public static final CumulativeReduction CUMMAX = new CumulativeReduction(CumulativeReduction.Kind.MAX);
  public static final CumulativeReduction CUMMIN = new CumulativeReduction(CumulativeReduction.Kind.MIN);
  public static final Erfc ERFC = new Erfc();
  public static final XlaLog1p XLA_LOG1P = new XlaLog1p();

  private static final Map<String, Primitive<?>> BY_NAME = new LinkedHashMap<>();

  static {
    for (Primitive<?> p : new Primitive<?>[] {
        NEG, EXP, LOG, LOG1P, EXPM1, TANH, LOGISTIC, SIN, COS, TAN, SQRT, ABS, SIGN, FLOOR, CEIL, ERF, NOT, IS_FINITE, STOP_GRADIENT,
        ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, AND, OR,
        SELECT_N, CONVERT_ELEMENT_TYPE, BROADCAST_IN_DIM, RESHAPE, TRANSPOSE, REDUCE_SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD,
        ARGMAX, ARGMIN, DOT_GENERAL, SLICE, PAD, CONCATENATE, DYNAMIC_SLICE, DYNAMIC_UPDATE_SLICE, IOTA, CUMSUM}) {
      register(p);
    }
  }

  static {
    for (Primitive<?> p : new Primitive<?>[] {XOR, SHIFT_LEFT, SHIFT_RIGHT_LOGICAL, REM, ERF_INV, FMA, BITCAST_CONVERT_TYPE, THREEFRY2X32, SORT}) {
      register(p);
    }
  }

  static {
    for (Primitive<?> p : new Primitive<?>[] {COND, WHILE, SCAN, CHECKPOINT, OPTIMIZATION_BARRIER}) {
      register(p);
    }
  }

  static {
    for (Primitive<?> p : new Primitive<?>[] {GATHER, SCATTER, SCATTER_ADD, SCATTER_MUL, SCATTER_MIN, SCATTER_MAX, REV, CUMPROD, CUMMAX, CUMMIN, ERFC, XLA_LOG1P}) {
      register(p);
    }
  }

  /** Registers a primitive defined elsewhere (control flow, random bits, custom rules). */
  public static synchronized void register(Primitive<?> p) {
    Primitive<?> prev = BY_NAME.putIfAbsent(p.name(), p);
    if (prev != null && prev != p) throw new IllegalStateException("primitive '" + p.name() + "' registered twice");
  }

  /** The primitive with this name, or an error listing the known names. */
  public static Primitive<?> byName(String name) {
    Primitive<?> p = BY_NAME.get(name);
    if (p == null) throw new IllegalArgumentException("unknown primitive '" + name + "'; known: " + BY_NAME.keySet());
    return p;
  }

  public static java.util.Collection<Primitive<?>> all() {
    return java.util.Collections.unmodifiableCollection(BY_NAME.values());
  }
}
