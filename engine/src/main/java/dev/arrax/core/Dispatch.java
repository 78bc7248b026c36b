package dev.arrax.core;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;

/** {@code bind}: routes a primitive application to the innermost trace among its arguments, or evaluates it. */
public final class Dispatch {
  private Dispatch() {}

  /**
   * Applies {@code prim} to {@code args} ({@code bind} in JAX): checks the types with the primitive's shape
   * rule, then hands the application to the innermost active trace (or the dynamic trace, if higher) or,
   * with no trace, evaluates it on the concrete arrays.
   * @throws ArraxException for a null argument or a tracer used after its transformation ended
   * @throws ShapeException if the shape rule rejects the argument types
   */
  public static <P extends Params> NDArray[] bind(Primitive<P> prim, P params, NDArray[] args) {
    ArrayType[] inTypes = new ArrayType[args.length];
    Trace top = null;
    for (int i = 0; i < args.length; i++) {
      NDArray a = args[i];
      if (a == null) throw new ArraxException(prim.name() + ": argument " + i + " is null" + CallSite.describe());
      if (a instanceof SymbolicZero || a instanceof UndefinedPrimal) {
        throw new IllegalStateException("internal: " + a + " passed as argument " + i + " of " + prim.name());
      }
      inTypes[i] = a.type();
      if (a instanceof Tracer t) {
        Trace tr = t.trace();
        if (!tr.isActive()) {
          throw new ArraxException(prim.name() + ": a traced value " + t.type() + " escaped its transformation ("
              + tr.transformationName() + ") and was used after it ended" + CallSite.describe()
              + ". Return values from the transformed function instead of storing them in fields or outer variables.");
        }
        if (top == null || tr.level() > top.level()) top = tr;
      }
    }
    try {
      prim.outTypes(inTypes, params);
    } catch (ShapeException e) {
      throw new ShapeException(e.getMessage() + CallSite.describe());
    }
    Trace dyn = TraceStack.dynamic();
    if (dyn != null && (top == null || dyn.level() > top.level())) top = dyn;
    if (top == null) {
      ConcreteArray[] concrete = new ConcreteArray[args.length];
      for (int i = 0; i < args.length; i++) concrete[i] = (ConcreteArray) args[i];
      return prim.evaluate(concrete, params);
    }
    NDArray[] raised = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) {
      NDArray a = args[i];
      raised[i] = (a instanceof Tracer t && t.trace() == top) ? a : top.lift(a);
    }
    return top.process(prim, raised, params);
  }
}
