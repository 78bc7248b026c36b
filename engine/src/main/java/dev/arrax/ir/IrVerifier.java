package dev.arrax.ir;

import dev.arrax.core.ArrayType;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks a program's invariants (JAX autodidax's typecheck_jaxpr): every variable is defined once
 * before use, and each equation's output types are what its primitive's shape rule says. Sub-programs
 * in parameters (control flow) are verified too, and the primitive's shape rule checks that their
 * signatures fit the operands.
 * Tests run it after every transformation.
 */
public final class IrVerifier {
  private IrVerifier() {}

  /**
   * Checks {@code p} and its sub-programs (see the class comment).
   * @throws IllegalStateException naming the first broken invariant
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void verify(Program p) {
    Set<Var> defined = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Var v : p.constVars()) define(defined, v, "constant");
    for (Var v : p.inVars()) define(defined, v, "input");
    for (int i = 0; i < p.constVars().size(); i++) {
      if (!p.constValues().get(i).type().equals(p.constVars().get(i).type())) {
        throw new IllegalStateException("IR: constant " + i + " has value of type " + p.constValues().get(i).type() + " but variable " + p.constVars().get(i).type());
      }
    }
    for (Eqn e : p.eqns()) {
      ArrayType[] in = new ArrayType[e.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        Atom a = e.inputs().get(i);
        if (a instanceof Var v && !defined.contains(v)) throw new IllegalStateException("IR: " + describe(e) + " reads an undefined variable");
        in[i] = a.type();
      }
      for (Map.Entry<String, Program> sub : ParamCodec.subPrograms(e.params()).entrySet()) {
        try {
          verify(sub.getValue());
        } catch (IllegalStateException ex) {
          throw new IllegalStateException("IR: in sub-program '" + sub.getKey() + "' of " + e.primitive().name() + ": " + ex.getMessage(), ex);
        }
      }
      ArrayType[] expect;
      try {
        expect = ((dev.arrax.core.Primitive) e.primitive()).outTypes(in, e.params());
      } catch (IndexOutOfBoundsException ex) {
        // shape rules read their operands by position: a short operand list (a hand-edited or damaged text) lands here
        throw new IllegalStateException("IR: " + describe(e) + " cannot take the " + in.length + " input(s) " + Arrays.toString(in)
            + ": wrong number of operands for " + e.primitive().name());
      } catch (RuntimeException ex) {
        throw new IllegalStateException("IR: " + describe(e) + " with inputs " + Arrays.toString(in) + " fails its shape rule: " + ex.getMessage(), ex);
      }
      if (expect.length != e.outputs().size()) throw new IllegalStateException("IR: " + describe(e) + " has the wrong number of outputs");
      for (int i = 0; i < expect.length; i++) {
        if (!expect[i].equals(e.outputs().get(i).type())) {
          throw new IllegalStateException("IR: " + describe(e) + " output " + i + " declared " + e.outputs().get(i).type() + " but the rule gives " + expect[i]);
        }
        if (!defined.add(e.outputs().get(i))) define(defined, e.outputs().get(i), describe(e)); // describe only on failure: it prints sub-programs
      }
    }
    for (Atom a : p.outs()) {
      if (a instanceof Var v && !defined.contains(v)) throw new IllegalStateException("IR: program output is undefined");
    }
  }

  private static void define(Set<Var> defined, Var v, String where) {
    if (!defined.add(v)) throw new IllegalStateException("IR: variable defined twice (" + where + ")");
  }

  private static String describe(Eqn e) {
    return e.primitive().name() + "[" + ParamCodec.format(e.params()) + "]";
  }
}
