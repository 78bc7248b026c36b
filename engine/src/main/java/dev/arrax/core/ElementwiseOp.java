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
  NEG(1), EXP(1), LOG(1), LOG1P(1), EXPM1(1), TANH(1), LOGISTIC(1), SIN(1), COS(1), TAN(1), SQRT(1), ABS(1),
  SIGN(1), FLOOR(1), CEIL(1), ERF(1), ERF_INV(1), NOT(1), IS_FINITE(1), STOP_GRADIENT(1),
  /** Conversion to the output's dtype (the primitive's params carry it). */
  CONVERT_ELEMENT_TYPE(1),
  // two operands
  ADD(2), SUB(2), MUL(2), DIV(2), POW(2), REM(2), MAX(2), MIN(2), EQ(2), NE(2), LT(2), LE(2), GT(2), GE(2),
  AND(2), OR(2), XOR(2), SHIFT_LEFT(2), SHIFT_RIGHT_LOGICAL(2),
  // three operands
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
