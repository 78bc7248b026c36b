package dev.arrax.ir;

import dev.arrax.DType;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;

/** A concrete scalar written inline in a program, printed as {@code 2.0:f32[]}. */
public record Literal(ConcreteArray value) implements Atom {
  /**
   * A scalar literal.
   * @throws IllegalArgumentException if {@code value} is not a scalar
   */
  public Literal {
    if (value.ndim() != 0) throw new IllegalArgumentException("literals are scalars; got " + value.type());
  }

  @Override public ArrayType type() { return value.type(); }

  /** The value in the program text form; floats print so that parsing gives back the same bits. */
  public String valueText() {
    return formatElement(value, 0);
  }

  static String formatElement(ConcreteArray a, int i) {
    DType d = a.dtype();
    return switch (d) {
      case FLOAT32 -> Float.toString((float) a.buffer().getDouble(i));
      case FLOAT64 -> Double.toString(a.buffer().getDouble(i));
      case BOOL -> Boolean.toString(a.buffer().getBool(i));
      default -> Long.toString(a.buffer().getLong(i));
    };
  }

  static void parseElement(ConcreteArray a, int i, String s) {
    DType d = a.dtype();
    switch (d) {
      case FLOAT32, FLOAT64 -> a.buffer().setDouble(i, Double.parseDouble(s));
      case BOOL -> a.buffer().setLong(i, switch (s.strip()) {
        case "true" -> 1;
        case "false" -> 0;
        default -> throw new IllegalArgumentException("bool literal must be true or false, got '" + s.strip() + "'");
      });
      default -> a.buffer().setLong(i, Long.parseLong(s));
    }
  }

  @Override public String toString() { return valueText() + ":" + type(); }
}
