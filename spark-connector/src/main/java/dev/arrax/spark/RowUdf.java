package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.compile.cpu.CompiledProgram;
import dev.arrax.compile.cpu.Parallel;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
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
 * the result back. One class serves every arity so no lambda needs to be serialized.
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
  private transient CompiledProgram compiled;
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
      Program p = Programs.perRow(digest, text);
      inTypes = p.inTypes();
      compiled = Programs.compiled(digest, text, Programs.Batching.ROW, 0, 1);
    }
    NDArray[] args = new NDArray[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) return null;
      args[i] = toArray(i, values[i], inTypes[i]);
    }
    NDArray[][] out = new NDArray[1][];
    Parallel.runSingleThreaded(() -> out[0] = compiled.run(args));
    Buffer b = ((ConcreteArray) out[0][0]).buffer();
    boolean scalar = out[0][0].ndim() == 0;
    return switch (b.dtype()) {
      case FLOAT32 -> scalar ? (Object) ((float[]) b.array())[0] : ((float[]) b.array()).clone();
      case FLOAT64 -> scalar ? (Object) ((double[]) b.array())[0] : ((double[]) b.array()).clone();
      case INT32 -> scalar ? (Object) ((int[]) b.array())[0] : ((int[]) b.array()).clone();
      case INT64 -> scalar ? (Object) ((long[]) b.array())[0] : ((long[]) b.array()).clone();
      case UINT32 -> {
        long[] v = new long[b.size()];
        for (int i = 0; i < v.length; i++) v[i] = b.getLong(i);
        yield scalar ? (Object) v[0] : v;
      }
      case BOOL -> scalar ? (Object) ((boolean[]) b.array())[0] : ((boolean[]) b.array()).clone();
    };
  }

  private NDArray toArray(int arg, Object v, ArrayType t) {
    DType d = t.dtype();
    if (t.rank() == 0) {
      Buffer b = Buffer.allocate(d, 1);
      if (v instanceof Boolean z) b.setDouble(0, z ? 1 : 0);
      else if (v instanceof Long l) b.setLong(0, l);
      else if (v instanceof Number num) b.setDouble(0, num.doubleValue());
      else throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " is a " + v.getClass().getSimpleName()
          + ", expected a number for " + t);
      return new ConcreteArray(t, b);
    }
    int n = t.dim(0);
    Buffer b = Buffer.allocate(d, n);
    int got;
    if (v instanceof scala.collection.Seq<?> seq) {
      got = seq.length();
      if (got == n) for (int i = 0; i < n; i++) set(b, i, seq.apply(i), arg);
    } else if (v instanceof List<?> list) {
      got = list.size();
      if (got == n) for (int i = 0; i < n; i++) set(b, i, list.get(i), arg);
    } else {
      throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " is a " + v.getClass().getSimpleName()
          + ", expected an array for " + t);
    }
    if (got != n) {
      throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " has " + got + " elements, but the function was "
          + "registered for " + t);
    }
    return new ConcreteArray(t, b);
  }

  private void set(Buffer b, int i, Object e, int arg) {
    if (e == null) throw new ArraxSparkException("SQL function " + name + ": argument " + arg + " holds a null at element " + i);
    if (e instanceof Boolean z) b.setDouble(i, z ? 1 : 0);
    else if (e instanceof Long l) b.setLong(i, l);
    else b.setDouble(i, ((Number) e).doubleValue());
  }
}
