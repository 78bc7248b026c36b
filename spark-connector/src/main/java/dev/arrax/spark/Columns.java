package dev.arrax.spark;

import dev.arrax.DType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Spark column types to and from Arrax dtypes, and the driver-side checks that name a bad column before any task runs. */
final class Columns {
  private Columns() {}

  /** The Spark element types Arrax reads, with the dtype each becomes and its width in Spark's row format. */
  enum Elem {
    FLOAT(DType.FLOAT32, 4), DOUBLE(DType.FLOAT64, 8), INT(DType.INT32, 4), LONG(DType.INT64, 8),
    SHORT(DType.INT32, 2), BYTE(DType.INT32, 1), BOOLEAN(DType.BOOL, 1);

    final DType dtype;
    final int bytes;

    Elem(DType dtype, int bytes) {
      this.dtype = dtype;
      this.bytes = bytes;
    }

    static Elem of(DataType t) {
      if (t.equals(DataTypes.FloatType)) return FLOAT;
      if (t.equals(DataTypes.DoubleType)) return DOUBLE;
      if (t.equals(DataTypes.IntegerType)) return INT;
      if (t.equals(DataTypes.LongType)) return LONG;
      if (t.equals(DataTypes.ShortType)) return SHORT;
      if (t.equals(DataTypes.ByteType)) return BYTE;
      if (t.equals(DataTypes.BooleanType)) return BOOLEAN;
      return null;
    }

    /** Array elements are bulk-copied, so only the types whose Spark layout is the Java array's. */
    boolean arrayElement() { return this == FLOAT || this == DOUBLE || this == INT || this == LONG; }
  }

  static final String SUPPORTED = "float, double, int, bigint, smallint, tinyint, boolean, array<float>, array<double>, array<int> or array<bigint>";

  /** One input column: a scalar ({@code width == 0}, an array of shape [] per row) or an array of {@code width} elements per row. */
  record InputColumn(String name, int ordinal, Elem elem, int width) implements Serializable {
    DType dtype() { return elem.dtype; }

    /** The per-row shape: [] for a scalar column, [d] for an array column. */
    int[] rowShape() { return width == SCALAR ? new int[0] : new int[] {width}; }

    int[] batchShape(int rows) { return width == SCALAR ? new int[] {rows} : new int[] {rows, width}; }

    int rowElements() { return width == SCALAR ? 1 : width; }

    boolean scalar() { return width == SCALAR; }

    InputColumn withWidth(int w) { return new InputColumn(name, ordinal, elem, w); }

    String describe() { return "'" + name + "' (" + (scalar() ? elemSql(elem) : "array<" + elemSql(elem) + ">") + ")"; }
  }

  static final int SCALAR = -1;

  /**
   * One output column: program output {@code output}, which has {@code stride} elements per row; a scalar
   * column ({@code width == SCALAR}) reads element {@code element} of each row (0 for a scalar output, i for
   * column i of a per-row [k] output split into k columns), an array column all {@code width} of them.
   */
  record OutputColumn(String name, int output, int element, int stride, DType dtype, int width) implements Serializable {
    boolean scalar() { return width == SCALAR; }

    DataType sparkType() {
      DataType e = Columns.sparkType(dtype);
      return scalar() ? e : DataTypes.createArrayType(e, false);
    }
  }

  static DataType sparkType(DType d) {
    return switch (d) {
      case FLOAT32 -> DataTypes.FloatType;
      case FLOAT64 -> DataTypes.DoubleType;
      case INT32 -> DataTypes.IntegerType;
      case INT64, UINT32 -> DataTypes.LongType;
      case BOOL -> DataTypes.BooleanType;
    };
  }

  static String elemSql(Elem e) {
    return switch (e) {
      case FLOAT -> "float";
      case DOUBLE -> "double";
      case INT -> "int";
      case LONG -> "bigint";
      case SHORT -> "smallint";
      case BYTE -> "tinyint";
      case BOOLEAN -> "boolean";
    };
  }

  /** Resolves input columns by exact name, or fails naming the column, its type and the expected types. */
  static InputColumn[] resolveInputs(String op, StructType schema, String[] names) {
    if (names == null || names.length == 0) {
      throw new ArraxSparkException(op + ": give at least one input column; the DataFrame has columns " + describe(schema));
    }
    InputColumn[] cols = new InputColumn[names.length];
    StructField[] fields = schema.fields();
    for (int i = 0; i < names.length; i++) {
      String n = names[i];
      if (n == null) throw new ArraxSparkException(op + ": input column name " + i + " is null");
      int ordinal = -1;
      int matches = 0;
      for (int f = 0; f < fields.length; f++) {
        if (fields[f].name().equals(n)) {
          if (ordinal < 0) ordinal = f;
          matches++;
        }
      }
      if (matches > 1) {
        throw new ArraxSparkException(op + ": input column '" + n + "' is ambiguous: the DataFrame has " + matches
            + " columns with that name (" + describe(schema) + "); rename them first");
      }
      if (ordinal < 0) {
        String hint = "";
        for (StructField f : fields) {
          if (f.name().equalsIgnoreCase(n)) hint = " (did you mean '" + f.name() + "'? names are matched exactly)";
        }
        throw new ArraxSparkException(op + ": input column '" + n + "' does not exist" + hint + "; the DataFrame has columns "
            + describe(schema));
      }
      DataType t = fields[ordinal].dataType();
      Elem e = Elem.of(t);
      int width = SCALAR;
      if (e == null && t instanceof ArrayType at) {
        Elem ae = Elem.of(at.elementType());
        if (ae != null && ae.arrayElement()) {
          e = ae;
          width = 0; // the real length is found later (first non-null row or ArraxOptions.withArrayLength)
        }
      }
      if (e == null) {
        throw new ArraxSparkException(op + ": input column '" + n + "' has type " + t.simpleString() + ", but Arrax reads "
            + SUPPORTED + " columns; cast it first (e.g. col(\"" + n + "\").cast(\"double\"))");
      }
      for (int j = 0; j < i; j++) {
        if (cols[j].name().equals(n)) throw new ArraxSparkException(op + ": input column '" + n + "' is listed twice");
      }
      cols[i] = new InputColumn(n, ordinal, e, width);
    }
    return cols;
  }

  /** Output names must be new, distinct and non-empty (compared ignoring case, as Spark resolves names by default). */
  static void checkOutputNames(String op, StructType schema, String[] names) {
    if (names == null || names.length == 0) throw new ArraxSparkException(op + ": give at least one output column name");
    List<String> seen = new ArrayList<>();
    for (String n : names) {
      if (n == null || n.isEmpty()) throw new ArraxSparkException(op + ": output column names must be non-empty, got " + Arrays.toString(names));
      for (StructField f : schema.fields()) {
        if (f.name().equalsIgnoreCase(n)) {
          throw new ArraxSparkException(op + ": output column '" + n + "' already exists in the DataFrame (" + describe(schema)
              + "); choose another name or drop the column first");
        }
      }
      String low = n.toLowerCase(Locale.ROOT);
      if (seen.contains(low)) throw new ArraxSparkException(op + ": output column '" + n + "' is listed twice in " + Arrays.toString(names));
      seen.add(low);
    }
  }

  static String describe(StructType schema) {
    return Arrays.stream(schema.fields()).map(f -> f.name() + " " + f.dataType().simpleString()).collect(Collectors.joining(", ", "[", "]"));
  }
}
