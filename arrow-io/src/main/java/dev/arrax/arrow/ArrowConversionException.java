package dev.arrax.arrow;

import dev.arrax.ArraxException;

/**
 * An Arrow column that cannot become an array as asked: a null under {@link NullPolicy#ERROR}, list rows of
 * different lengths, or an unsupported vector type. The message names the column and the row.
 */
public class ArrowConversionException extends ArraxException {
  /** A conversion error; the message names the column, the row and the fix. */
  public ArrowConversionException(String message) {
    super(message);
  }
}
