package dev.arrax.ir;

import dev.arrax.core.ArrayType;

/** An operand of an equation: a variable or a literal scalar. */
public sealed interface Atom permits Var, Literal {
  /** The abstract type: shape and dtype. */
  ArrayType type();
}
