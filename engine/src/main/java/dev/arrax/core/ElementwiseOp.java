package dev.arrax.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The elementwise operations of the IR, one constant per elementwise primitive: the key every backend
 * lowers by (tinygrad's {@code Ops} with a per-backend {@code code_for_op} table). A primitive names its
 * operation through {@link Primitive#elementwiseOp()}; a backend's table is a {@code switch} over this
 * enum, so a new operation without a lowering is a compile error in an exhaustive switch, not a run-time
 * surprise, and nothing is looked up by a name string.
 *
 * <p>Operand order is the primitive's: {@link #SELECT_N} reads {@code (pred, onFalse, onTrue)}.
 */
public enum ElementwiseOp {
  // one operand
  /** -x: the {@code neg} primitive. */
  NEG(1),
  /** e^x: the {@code exp} primitive. */
  EXP(1),
  /** natural log: the {@code log} primitive. */
  LOG(1),
  /** log(1 + x): the {@code log1p} primitive. */
  LOG1P(1),
  /** e^x - 1: the {@code expm1} primitive. */
  EXPM1(1),
  /** hyperbolic tangent: the {@code tanh} primitive. */
  TANH(1),
  /** 1 / (1 + e^-x): the {@code logistic} primitive. */
  LOGISTIC(1),
  /** sine: the {@code sin} primitive. */
  SIN(1),
  /** cosine: the {@code cos} primitive. */
  COS(1),
  /** tangent: the {@code tan} primitive. */
  TAN(1),
  /** square root: the {@code sqrt} primitive. */
  SQRT(1),
  /** absolute value: the {@code abs} primitive. */
  ABS(1),
  /** -1, 0 or +1: the {@code sign} primitive. */
  SIGN(1),
  /** floor: the {@code floor} primitive. */
  FLOOR(1),
  /** ceiling: the {@code ceil} primitive. */
  CEIL(1),
  /** error function: the {@code erf} primitive. */
  ERF(1),
  /** inverse error function: the {@code erf_inv} primitive. */
  ERF_INV(1),
  /** logical/bitwise not: the {@code not} primitive. */
  NOT(1),
  /** true where finite (bool result): the {@code is_finite} primitive. */
  IS_FINITE(1),
  /** identity on values, zero derivative: the {@code stop_gradient} primitive. */
  STOP_GRADIENT(1),
  /** Conversion to the output's dtype (the primitive's params carry it). */
  CONVERT_ELEMENT_TYPE(1),
  // two operands
  /** a + b: the {@code add} primitive. */
  ADD(2),
  /** a - b: the {@code sub} primitive. */
  SUB(2),
  /** a * b: the {@code mul} primitive. */
  MUL(2),
  /** a / b: the {@code div} primitive. */
  DIV(2),
  /** a^b: the {@code pow} primitive. */
  POW(2),
  /** truncated remainder, sign of a: the {@code rem} primitive. */
  REM(2),
  /** maximum: the {@code max} primitive. */
  MAX(2),
  /** minimum: the {@code min} primitive. */
  MIN(2),
  /** a == b (bool): the {@code eq} primitive. */
  EQ(2),
  /** a != b (bool): the {@code ne} primitive. */
  NE(2),
  /** a &lt; b (bool): the {@code lt} primitive. */
  LT(2),
  /** a &lt;= b (bool): the {@code le} primitive. */
  LE(2),
  /** a &gt; b (bool): the {@code gt} primitive. */
  GT(2),
  /** a &gt;= b (bool): the {@code ge} primitive. */
  GE(2),
  /** logical/bitwise and: the {@code and} primitive. */
  AND(2),
  /** logical/bitwise or: the {@code or} primitive. */
  OR(2),
  /** logical/bitwise exclusive or: the {@code xor} primitive. */
  XOR(2),
  /** integer shift left: the {@code shift_left} primitive. */
  SHIFT_LEFT(2),
  /** integer shift right, zero fill: the {@code shift_right_logical} primitive. */
  SHIFT_RIGHT_LOGICAL(2),
  // three operands
  /** (pred, onFalse, onTrue): onTrue where pred, else onFalse: the {@code select_n} primitive. */
  SELECT_N(3);

  /** Operations whose result is bool whatever the operand dtype. */
  public static final Set<ElementwiseOp> COMPARISONS = EnumSet.of(EQ, NE, LT, LE, GT, GE, IS_FINITE);
  /** Operations that are the identity on values (differ only in their derivative). */
  public static final Set<ElementwiseOp> VALUE_IDENTITY = EnumSet.of(STOP_GRADIENT);
  /** Transcendental functions, computed by backends with approximations within documented ulps. */
  public static final Set<ElementwiseOp> TRANSCENDENTAL = EnumSet.of(EXP, LOG, LOG1P, EXPM1, TANH, LOGISTIC, SIN, COS, TAN, ERF, ERF_INV, POW);

  private final int arity;

  ElementwiseOp(int arity) {
    this.arity = arity;
  }

  /** Number of operands. */
  public int arity() { return arity; }

  /** The primitive's name in printed programs (JAX's lax name): {@code exp}, {@code select_n}, ... */
  public String primitiveName() { return name().toLowerCase(Locale.ROOT); }
}
