package dev.arrax.spark;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The one place that touches Spark internals that move between versions: the classic (JVM) session and Dataset of
 * {@code org.apache.spark.sql.classic} (Spark 4.0+), their query execution's RDD of rows, and building a DataFrame
 * from an RDD of internal rows. Nothing else in the connector names {@code sql.classic}, so an unsupported Spark
 * fails in {@link SparkVersions#require} with a message instead of a {@code NoClassDefFoundError} while loading
 * {@link ArraxSpark}.
 */
final class SparkShim {
  private SparkShim() {}

  /** The DataFrame's rows as Spark computes them (its optimized and planned query, pushdowns included). */
  static RDD<InternalRow> toRdd(Dataset<Row> df) {
    return classic(df).queryExecution().toRdd();
  }

  /** A DataFrame over rows already in Spark's internal layout. */
  static Dataset<Row> createDataFrame(SparkSession spark, RDD<InternalRow> rows, StructType schema) {
    if (!(spark instanceof org.apache.spark.sql.classic.SparkSession s)) throw connect(spark.getClass().getName());
    return s.internalCreateDataFrame(rows, schema, false);
  }

  @SuppressWarnings("unchecked")
  private static org.apache.spark.sql.classic.Dataset<Row> classic(Dataset<Row> df) {
    if (df instanceof org.apache.spark.sql.classic.Dataset<?> d) return (org.apache.spark.sql.classic.Dataset<Row>) d;
    throw connect(df.getClass().getName());
  }

  private static ArraxSparkException connect(String cls) {
    return new ArraxSparkException("the Arrax connector needs a classic (JVM) Spark session; Spark Connect DataFrames (" + cls
        + ") are not supported: the per-row program runs inside the executors, which a Connect client cannot reach");
  }
}
