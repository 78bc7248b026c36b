package dev.arrax.ir;

import dev.arrax.core.ArrayType;

/** A typed variable of a {@link Program}, compared by identity. Printed names are assigned per program. */
public final class Var implements Atom {
  private final ArrayType type;

  /** A fresh variable of {@code type}, distinct from every other. */
  public Var(ArrayType type) {
    this.type = type;
  }

  @Override public ArrayType type() { return type; }

  @Override public String toString() { return "Var(" + type + ")"; }
}
