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

  /** The {@code neg} primitive (Neg): {@code -x}. */
  public static final UnaryElementwise NEG = new Neg();
  /** The {@code exp} primitive (Exp): {@code e^x}. */
  public static final UnaryElementwise EXP = new Exp();
  /** The {@code log} primitive (Log): natural logarithm. */
  public static final UnaryElementwise LOG = new Log();
  /** The {@code log1p} primitive (Log1p): {@code log(1 + x)}. */
  public static final UnaryElementwise LOG1P = new Log1p();
  /** The {@code expm1} primitive (Expm1): {@code e^x - 1}. */
  public static final UnaryElementwise EXPM1 = new Expm1();
  /** The {@code tanh} primitive (Tanh): hyperbolic tangent. */
  public static final UnaryElementwise TANH = new Tanh();
  /** The {@code logistic} primitive (Logistic): {@code 1 / (1 + e^-x)}. */
  public static final UnaryElementwise LOGISTIC = new Logistic();
  /** The {@code sin} primitive (Sin): sine. */
  public static final UnaryElementwise SIN = new Sin();
  /** The {@code cos} primitive (Cos): cosine. */
  public static final UnaryElementwise COS = new Cos();
  /** The {@code tan} primitive (Tan): tangent. */
  public static final UnaryElementwise TAN = new Tan();
  /** The {@code sqrt} primitive (Sqrt): square root. */
  public static final UnaryElementwise SQRT = new Sqrt();
  /** The {@code abs} primitive (Abs): absolute value. */
  public static final UnaryElementwise ABS = new Abs();
  /** The {@code sign} primitive (Sign): -1, 0 or +1. */
  public static final UnaryElementwise SIGN = new Sign();
  /** The {@code floor} primitive (Floor): round toward -inf. */
  public static final UnaryElementwise FLOOR = new Floor();
  /** The {@code ceil} primitive (Ceil): round toward +inf. */
  public static final UnaryElementwise CEIL = new Ceil();
  /** The {@code erf} primitive (Erf): the error function. */
  public static final UnaryElementwise ERF = new Erf();
  /** The {@code not} primitive (Not): logical not on bool, bitwise on integers. */
  public static final UnaryElementwise NOT = new Not();
  /** The {@code is_finite} primitive (IsFinite): bool, true where x is neither infinite nor NaN. */
  public static final UnaryElementwise IS_FINITE = new IsFinite();
  /** The {@code stop_gradient} primitive (StopGradient): the identity with a zero derivative. */
  public static final UnaryElementwise STOP_GRADIENT = new StopGradient();

  /** The {@code add} primitive (Add): {@code a + b}. */
  public static final BinaryElementwise ADD = new Add();
  /** The {@code sub} primitive (Sub): {@code a - b}. */
  public static final BinaryElementwise SUB = new Sub();
  /** The {@code mul} primitive (Mul): {@code a * b}. */
  public static final BinaryElementwise MUL = new Mul();
  /** The {@code div} primitive (Div): {@code a / b}. */
  public static final BinaryElementwise DIV = new Div();
  /** The {@code pow} primitive (Pow): {@code a^b}. */
  public static final BinaryElementwise POW = new Pow();
  /** The {@code max} primitive (MinMax): elementwise maximum. */
  public static final BinaryElementwise MAX = new MinMax(true);
  /** The {@code min} primitive (MinMax): elementwise minimum. */
  public static final BinaryElementwise MIN = new MinMax(false);
  /** The {@code eq} primitive (Compare): {@code a == b} (bool). */
  public static final BinaryElementwise EQ = new Compare(ElementwiseOp.EQ);
  /** The {@code ne} primitive (Compare): {@code a != b} (bool). */
  public static final BinaryElementwise NE = new Compare(ElementwiseOp.NE);
  /** The {@code lt} primitive (Compare): {@code a < b} (bool). */
  public static final BinaryElementwise LT = new Compare(ElementwiseOp.LT);
  /** The {@code le} primitive (Compare): {@code a <= b} (bool). */
  public static final BinaryElementwise LE = new Compare(ElementwiseOp.LE);
  /** The {@code gt} primitive (Compare): {@code a > b} (bool). */
  public static final BinaryElementwise GT = new Compare(ElementwiseOp.GT);
  /** The {@code ge} primitive (Compare): {@code a >= b} (bool). */
  public static final BinaryElementwise GE = new Compare(ElementwiseOp.GE);
  /** The {@code and} primitive (Logical): logical and on bool, bitwise on integers. */
  public static final BinaryElementwise AND = new Logical(true);
  /** The {@code or} primitive (Logical): logical or on bool, bitwise on integers. */
  public static final BinaryElementwise OR = new Logical(false);

  /** The {@code select_n} primitive (Select): elementwise choice by a predicate. */
  public static final Select SELECT_N = new Select();
  /** The {@code convert_element_type} primitive (ConvertElementType): dtype conversion. */
  public static final ConvertElementType CONVERT_ELEMENT_TYPE = new ConvertElementType();
  /**
   * The {@code broadcast_in_dim} primitive (BroadcastInDim): broadcast to a larger shape, mapping operand
   * axes to result axes.
   */
  public static final BroadcastInDim BROADCAST_IN_DIM = new BroadcastInDim();
  /** The {@code reshape} primitive (Reshape): the same elements in a new shape. */
  public static final Reshape RESHAPE = new Reshape();
  /** The {@code transpose} primitive (Transpose): axis permutation. */
  public static final Transpose TRANSPOSE = new Transpose();
  /** The {@code reduce_sum} primitive (Reduce): sum over axes. */
  public static final Reduce REDUCE_SUM = new Reduce(Reduce.Kind.SUM);
  /** The {@code reduce_max} primitive (Reduce): maximum over axes. */
  public static final Reduce REDUCE_MAX = new Reduce(Reduce.Kind.MAX);
  /** The {@code reduce_min} primitive (Reduce): minimum over axes. */
  public static final Reduce REDUCE_MIN = new Reduce(Reduce.Kind.MIN);
  /** The {@code reduce_prod} primitive (Reduce): product over axes. */
  public static final Reduce REDUCE_PROD = new Reduce(Reduce.Kind.PROD);
  /** The {@code argmax} primitive (ArgReduce): index of the maximum along an axis. */
  public static final ArgReduce ARGMAX = new ArgReduce(true);
  /** The {@code argmin} primitive (ArgReduce): index of the minimum along an axis. */
  public static final ArgReduce ARGMIN = new ArgReduce(false);
  /** The {@code dot_general} primitive (DotGeneral): tensor contraction with batch axes. */
  public static final DotGeneral DOT_GENERAL = new DotGeneral();
  /** The {@code slice} primitive (Slice): a static strided slice. */
  public static final Slice SLICE = new Slice();
  /** The {@code pad} primitive (Pad): padding with a value, low/high/interior. */
  public static final Pad PAD = new Pad();
  /** The {@code concatenate} primitive (Concatenate): join along an axis. */
  public static final Concatenate CONCATENATE = new Concatenate();
  /** The {@code dynamic_slice} primitive (DynamicSlice): a slice at run-time start indices. */
  public static final DynamicSlice DYNAMIC_SLICE = new DynamicSlice();
  /**
   * The {@code dynamic_update_slice} primitive (DynamicUpdateSlice): overwrite a slice at run-time start
   * indices.
   */
  public static final DynamicUpdateSlice DYNAMIC_UPDATE_SLICE = new DynamicUpdateSlice();
  /** The {@code iota} primitive (Iota): {@code 0, 1, 2, ...} along one axis. */
  public static final Iota IOTA = new Iota();
  /** The {@code cumsum} primitive (Cumsum): cumulative sum along an axis. */
  public static final Cumsum CUMSUM = new Cumsum();
  /** The {@code xor} primitive (Xor): exclusive or, logical on bool, bitwise on integers. */
  public static final BinaryElementwise XOR = new Xor();
  /** The {@code shift_left} primitive (Shift): integer left shift. */
  public static final BinaryElementwise SHIFT_LEFT = new Shift(true);
  /** The {@code shift_right_logical} primitive (Shift): integer right shift filling with zeros. */
  public static final BinaryElementwise SHIFT_RIGHT_LOGICAL = new Shift(false);
  /** The {@code rem} primitive (Rem): remainder of truncating division, sign of the dividend. */
  public static final BinaryElementwise REM = new Rem();
  /** The {@code erf_inv} primitive (ErfInv): inverse error function. */
  public static final UnaryElementwise ERF_INV = new ErfInv();
  /** The {@code fma} primitive (Fma): fused multiply-add {@code a * b + c} with one rounding. */
  public static final Fma FMA = new Fma();
  /**
   * The {@code bitcast_convert_type} primitive (BitcastConvertType): reinterpret the bits as another dtype
   * of the same width.
   */
  public static final BitcastConvertType BITCAST_CONVERT_TYPE = new BitcastConvertType();
  /** The {@code threefry2x32} primitive (Threefry2x32): the Threefry-2x32 block cipher behind the PRNG. */
  public static final Threefry2x32 THREEFRY2X32 = new Threefry2x32();
  /** The {@code sort} primitive (Sort): stable sort of one or more arrays by the first keys along an axis. */
  public static final Sort SORT = new Sort();
  /** The {@code cond} primitive (Cond): run one of several sub-programs chosen by an index. */
  public static final Cond COND = new Cond();
  /** The {@code while} primitive (WhileLoop): loop a sub-program while a condition holds. */
  public static final WhileLoop WHILE = new WhileLoop();
  /** The {@code scan} primitive (Scan): loop over the leading axis carrying state. */
  public static final Scan SCAN = new Scan();
  /**
   * The {@code checkpoint} primitive (Checkpoint): a sub-program recomputed, not stored, for the backward
   * pass (remat).
   */
  public static final Checkpoint CHECKPOINT = new Checkpoint();
  /**
   * The {@code optimization_barrier} primitive (OptimizationBarrier): the identity that optimizations do
   * not see through.
   */
  public static final OptimizationBarrier OPTIMIZATION_BARRIER = new OptimizationBarrier();
  /** The {@code gather} primitive (Gather): read elements at index arrays. */
  public static final Gather GATHER = new Gather();
  /** The {@code scatter} primitive (Scatter): write updates at index arrays. */
  public static final Scatter SCATTER = new Scatter(Scatter.Kind.SET);
  /** The {@code scatter_add} primitive (Scatter): add updates at index arrays. */
  public static final Scatter SCATTER_ADD = new Scatter(Scatter.Kind.ADD);
  /** The {@code scatter_mul} primitive (Scatter): multiply by updates at index arrays. */
  public static final Scatter SCATTER_MUL = new Scatter(Scatter.Kind.MUL);
  /** The {@code scatter_min} primitive (Scatter): minimum with updates at index arrays. */
  public static final Scatter SCATTER_MIN = new Scatter(Scatter.Kind.MIN);
  /** The {@code scatter_max} primitive (Scatter): maximum with updates at index arrays. */
  public static final Scatter SCATTER_MAX = new Scatter(Scatter.Kind.MAX);
  /** The {@code rev} primitive (Rev): reverse along axes. */
  public static final Rev REV = new Rev();
  /** The {@code cumprod} primitive (CumulativeReduction): cumulative product along an axis. */
  public static final CumulativeReduction CUMPROD = new CumulativeReduction(CumulativeReduction.Kind.PROD);
  /** The {@code cummax} primitive (CumulativeReduction): cumulative maximum along an axis. */
  public static final CumulativeReduction CUMMAX = new CumulativeReduction(CumulativeReduction.Kind.MAX);
  /** The {@code cummin} primitive (CumulativeReduction): cumulative minimum along an axis. */
  public static final CumulativeReduction CUMMIN = new CumulativeReduction(CumulativeReduction.Kind.MIN);
  /** The {@code erfc} primitive (Erfc): the complementary error function {@code 1 - erf(x)}. */
  public static final Erfc ERFC = new Erfc();
  /** The {@code xla_cpu_log1p} primitive (XlaLog1p): {@code log1p} bit for bit as XLA:CPU computes it. */
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

  /** Every registered primitive in registration order, read-only (the IR parser and tests iterate it). */
  public static java.util.Collection<Primitive<?>> all() {
    return java.util.Collections.unmodifiableCollection(BY_NAME.values());
  }
}
