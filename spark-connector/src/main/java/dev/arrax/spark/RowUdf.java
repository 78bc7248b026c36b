package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.backend.Backends;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.core.ArrayType;
import dev.arrax.ir.Program;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF10;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.api.java.UDF5;
import org.apache.spark.sql.api.java.UDF6;
import org.apache.spark.sql.api.java.UDF7;
import org.apache.spark.sql.api.java.UDF8;
import org.apache.spark.sql.api.java.UDF9;
import org.apache.spark.sql.types.DataType;

/**
 * The SQL function behind {@link ArraxSpark#registerUdf}: the per-row program's text travels, each executor
 * JVM compiles it once, and every call converts the Spark values of one row to arrays, runs it, and converts
 * the result back. One class serves every arity so no lambda needs to be serialized. One row at a time is
 * work for the CPU: the function always runs on the {@code cpu} backend, on the task's thread.
 */
final class RowUdf implements UDF1<Object, Object>, UDF2<Object, Object, Object>, UDF3<Object, Object, Object, Object>,
    UDF4<Object, Object, Object, Object, Object>, UDF5<Object, Object, Object, Object, Object, Object>,
    UDF6<Object, Object, Object, Object, Object, Object, Object>, UDF7<Object, Object, Object, Object, Object, Object, Object, Object>,
    UDF8<Object, Object, Object, Object, Object, Object, Object, Object, Object>,
    UDF9<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>,
    UDF10<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object> {
  private static final long serialVersionUID = 1L;
  static final int MAX_ARGS = 10;

  private final String name;
  private final String text;
  private final String digest;
  /** The driver's Arrax version, checked in the executor before the program is read. */
  private final ArraxVersion.Stamp shipped = ArraxVersion.forShipping();
  private transient Executable compiled;
  private transient ArrayType[] inTypes;

  RowUdf(String name, String text, String digest) {
    this.name = name;
    this.text = text;
    this.digest = digest;
  }

  void register(SparkSession spark, int arity, DataType returnType) {
    var r = spark.udf();
    switch (arity) {
      case 1 -> r.register(name, (UDF1<?, ?>) this, returnType);
      case 2 -> r.register(name, (UDF2<?, ?, ?>) this, returnType);
      case 3 -> r.register(name, (UDF3<?, ?, ?, ?>) this, returnType);
      case 4 -> r.register(name, (UDF4<?, ?, ?, ?, ?>) this, returnType);
      case 5 -> r.register(name, (UDF5<?, ?, ?, ?, ?, ?>) this, returnType);
      case 6 -> r.register(name, (UDF6<?, ?, ?, ?, ?, ?, ?>) this, returnType);
      case 7 -> r.register(name, (UDF7<?, ?, ?, ?, ?, ?, ?, ?>) this, returnType);
      case 8 -> r.register(name, (UDF8<?, ?, ?, ?, ?, ?, ?, ?, ?>) this, returnType);
      case 9 -> r.register(name, (UDF9<?, ?, ?, ?, ?, ?, ?, ?, ?, ?>) this, returnType);
      case 10 -> r.register(name, (UDF10<?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?>) this, returnType);
      default -> throw new ArraxSparkException("registerUdf: " + arity + " arguments; at most " + MAX_ARGS);
    }
  }

  @Override public Object call(Object a) { return eval(a); }

  @Override public Object call(Object a, Object b) { return eval(a, b); }

  @Override public Object call(Object a, Object b, Object c) { return eval(a, b, c); }

  @Override public Object call(Object a, Object b, Object c, Object d) { return eval(a, b, c, d); }

  @Override public Object call(Object a, Object b, Object c, Object d, Object e) { return eval(a, b, c, d, e); }

  @Override public Object call(Object a, Object b, Object c, Object d, Object e, Object f) { return eval(a, b, c, d, e, f); }

  @Override public Object call(Object a, Object b, Object c, Object d, Object e, Object f, Object g) { return eval(a, b, c, d, e, f, g); }

  @Override public Object call(Object a, Object b, Object c, Object d, Object e, Object f, Object g, Object h) {
    return eval(a, b, c, d, e, f, g, h);
  }

  @Override public Object call(Object a, Object b, Object c, Object d, Object e, Object f, Object g, Object h, Object i) {
    return eval(a, b, c, d, e, f, g, h, i);
  }

  @Override public Object call(Object a, Object b, Object c, Object d, Object e, Object f, Object g, Object h, Object i, Object j) {
    return eval(a, b, c, d, e, f, g, h, i, j);
  }

  private Object eval(Object... values) {
    if (compiled == null) {
      shipped.check("ArraxSpark.registerUdf(" + name + ")");
      Program p = Programs.perRow(digest, text);
      inTypes = p.inTypes();
      compiled = Programs.executable(digest, text, Programs.Batching.ROW, 0, 1, Backends.CPU);
    }
    NDArray[] args = new NDArray[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) return null;
      args[i] = toArray(i, values[i], inTypes[i]);
    }
    NDArray out = compiled.runOnCallerThread(args)[0];
    Object a = HostArrays.data(out);
    boolean scalar = out.ndim() == 0;
    return switch (out.dtype()) {
      case FLOAT32 -> scalar ? (Object) ((float[]) a)[0] : ((float[]) a).clone();
      case FLOAT64 -> scalar ? (Object) ((double[]) a)[0] : ((double[]) a).clone();
      case INT32 -> scalar ? (Object) ((int[]) a)[0] : ((int[]) a).clone();
      case INT64 -> scalar ? (Object) ((long[]) a)[0] : ((long[]) a).clone();
      case UINT32 -> {
        int[] bits = (int[]) a;
        long[] v = new long[bits.length];
        for (int i = 0; i < v.length; i++) v[i] = bits[i] & 0xffffffffL;
        yield scalar ? (Object) v[0] : v;
      }
      case BOOL -> scalar ? (Object) ((boolean[]) a)[0] : ((boolean[]) a).clone();
    };
  }

  private NDArray toArray(int arg, Object v, ArrayType t) {
    DType d = t.dtype();
    if (t.rank() == 0) {
      Object b = java.lang.reflect.Array.newInstance(HostArrays.elementType(d), 1);
      if (v instanceof Boolean || v instanceof Number) set(b, d, 0, v);
      else throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " is a " + v.getClass().getSimpleName()
          + ", expected a number for " + t);
      return HostArrays.wrap(d, b);
    }
    int n = t.dim(0);
    Object b = java.lang.reflect.Array.newInstance(HostArrays.elementType(d), n);
    int got;
    if (v instanceof scala.collection.Seq<?> seq) {
      got = seq.length();
      if (got == n) for (int i = 0; i < n; i++) setElement(b, d, i, seq.apply(i), arg);
    } else if (v instanceof List<?> list) {
      got = list.size();
      if (got == n) for (int i = 0; i < n; i++) setElement(b, d, i, list.get(i), arg);
    } else {
      throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " is a " + v.getClass().getSimpleName()
          + ", expected an array for " + t);
    }
    if (got != n) {
      throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " has " + got + " elements, but the function was "
          + "registered for " + t);
    }
    return HostArrays.wrap(d, b, n);
  }

  private void setElement(Object b, DType d, int i, Object e, int arg) {
    if (e == null) throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " holds a null at element " + i);
    set(b, d, i, e);
  }

  /** Element {@code i} of a primitive array of dtype {@code d} set from a Spark value, converted as {@code astype} does. */
  private static void set(Object b, DType d, int i, Object e) {
    if (e instanceof Boolean z) {
      setLong(b, d, i, z ? 1 : 0);
    } else if (e instanceof Long l) {
      setLong(b, d, i, l);
    } else {
      double v = ((Number) e).doubleValue();
      switch (d) {
        case FLOAT32 -> ((float[]) b)[i] = (float) v;
        case FLOAT64 -> ((double[]) b)[i] = v;
        case INT32 -> ((int[]) b)[i] = (int) v;
        case UINT32 -> ((int[]) b)[i] = (int) (long) Math.max(0.0, Math.min(4294967295.0, Double.isNaN(v) ? 0.0 : v));
        case INT64 -> ((long[]) b)[i] = (long) v;
        case BOOL -> ((boolean[]) b)[i] = v != 0.0;
      }
    }
  }

  private static void setLong(Object b, DType d, int i, long v) {
    switch (d) {
      case FLOAT32 -> ((float[]) b)[i] = (float) v;
      case FLOAT64 -> ((double[]) b)[i] = (double) v;
      case INT32, UINT32 -> ((int[]) b)[i] = (int) v;
      case INT64 -> ((long[]) b)[i] = v;
      case BOOL -> ((boolean[]) b)[i] = v != 0L;
    }
  }
}
