package dev.arrax.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Program;

/** Staging checks: a traced program verifies, survives toText/parse unchanged, and computes what the function does. */
public final class ProgramCheck {
  private ProgramCheck() {}

  /**
   * Traces {@code f} at {@code args} and checks: {@link IrVerifier} passes on the program and on its
   * parsed text; {@code parse(text).toText()} is the same text; both programs give bitwise the result of
   * calling {@code f} directly. Returns the traced program for further assertions.
   */
  public static Program roundTrip(Fn f, NDArray[] args, String msg) {
    Program p = Arrax.makeJaxpr(f, args);
    verify(p, msg + ": traced program");
    String text = p.toText();
    Program q;
    try {
      q = Program.parse(text);
    } catch (RuntimeException e) {
      throw new AssertionError(msg + ": cannot parse the program's own text:\n" + text, e);
    }
    verify(q, msg + ": parsed program");
    assertEquals(text, q.toText(), msg + ": toText of the parsed program differs from the original text");
    NDArray direct = f.apply(args);
    Exact.sameBits(direct, p.call(args)[0], msg + ": traced program vs direct call\n" + text);
    Exact.sameBits(direct, q.call(args)[0], msg + ": parsed program vs direct call\n" + text);
    return p;
  }

  public static void verify(Program p, String msg) {
    try {
      IrVerifier.verify(p);
    } catch (RuntimeException e) {
      throw new AssertionError(msg + ": IrVerifier failed on\n" + p, e);
    }
  }
}
