package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.spark.ArraxSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Sampler statistics of a language model's next-token logits, over a DataFrame: for every row, with
 * {@code logp = log_softmax(logits)} and {@code p = exp(logp)},
 * <ul>
 *   <li>entropy {@code H = -sum p logp} (how uncertain the sampler is),</li>
 *   <li>varentropy {@code sum p (logp + H)^2} (the variance of the surprisal {@code -logp}),</li>
 *   <li>{@code KL(p || q) = sum where(p > 0, p (logp - logq), 0)} against a fixed reference distribution q.</li>
 * </ul>
 * The three are one per-row function ({@code Arrax.outputs(...)}) applied with {@code ArraxSpark.mapMulti}:
 * one pass over the data, three new columns. Every row is then checked against a float64 Java loop.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.SamplerStatistics}
 * (optional {@code -Drows=N}); with spark-submit: {@code spark-submit --jars arrax-spark-bundle_2.13-<v>.jar
 * --class dev.arrax.examples.SamplerStatistics arrax-examples-<v>.jar [rows]}.
 */
public final class SamplerStatistics {
  /** Vocabulary size of the generated logits. */
  public static final int V = 32;

  private SamplerStatistics() {}

  /** Means over all rows of the three statistics, and the largest difference from the float64 loop. */
  public record Result(long rows, double meanEntropy, double meanVarentropy, double meanKl, double maxError) {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("rows", 20_000);
    SparkSession spark = SparkSessions.getOrCreate("Arrax sampler statistics");
    try {
      Result r = run(spark, rows);
      System.out.printf("sampler statistics over %,d rows of logits [V=%d]:%n", r.rows(), V);
      System.out.printf("  mean entropy    %.6f nats (uniform would be %.6f)%n", r.meanEntropy(), Math.log(V));
      System.out.printf("  mean varentropy %.6f%n", r.meanVarentropy());
      System.out.printf("  mean KL(p || q) %.6f nats%n", r.meanKl());
      System.out.printf("  max |Arrax - float64 loop| over every row and statistic: %.3e%n", r.maxError());
      System.out.printf("RESULT sampler-statistics rows=%d entropy=%.12f varentropy=%.12f kl=%.12f max_error=%.3e%n",
          r.rows(), r.meanEntropy(), r.meanVarentropy(), r.meanKl(), r.maxError());
    } finally {
      spark.stop();
    }
  }

  /** Row i's logits: Gaussian with a per-row temperature, so that entropies spread from peaked to flat. */
  public static double[][] logits(int rows) {
    Random rng = new Random(2024);
    double[][] out = new double[rows][V];
    for (int i = 0; i < rows; i++) {
      double scale = 0.5 + 3.5 * rng.nextDouble();
      for (int v = 0; v < V; v++) out[i][v] = scale * rng.nextGaussian();
    }
    return out;
  }

  /** The reference distribution q, as log-probabilities (a fixed, mildly peaked distribution). */
  public static double[] logq() {
    double[] z = new double[V];
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < V; v++) {
      z[v] = -0.1 * v;
      max = Math.max(max, z[v]);
    }
    double s = 0;
    for (double zv : z) s += Math.exp(zv - max);
    double lse = max + Math.log(s);
    for (int v = 0; v < V; v++) z[v] -= lse;
    return z;
  }

  public static Result run(SparkSession spark, int rows) {
    double[][] logits = logits(rows);
    List<Row> data = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) data.add(RowFactory.create((long) i, logits[i]));
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("logits", DataTypes.createArrayType(DataTypes.DoubleType, false));
    Dataset<Row> df = spark.createDataFrame(data, schema).repartition(4);

    NDArray logq = NDArray.of(logq());   // a constant of the traced program, shipped with it to the executors
    // Each statistic is a function of ONE row's logits [V]; the connector vmaps and jits them together.
    Fn entropy = a -> {
      NDArray logp = Nn.logSoftmax(a[0]);
      return Np.negative(Np.sum(Np.multiply(Np.exp(logp), logp)));
    };
    Fn varentropy = a -> {
      NDArray logp = Nn.logSoftmax(a[0]);
      NDArray centered = Np.add(logp, entropy.apply(a[0]));
      return Np.sum(Np.multiply(Np.exp(logp), Np.multiply(centered, centered)));
    };
    Fn kl = a -> {
      NDArray logp = Nn.logSoftmax(a[0]);
      NDArray p = Np.exp(logp);
      return Np.sum(Np.where(Np.greater(p, 0.0), Np.multiply(p, Np.subtract(logp, logq)), 0.0));
    };
    MultiFn stats = Arrax.outputs(entropy, varentropy, kl);

    Dataset<Row> out = ArraxSpark.mapMulti(df, stats, new String[] {"logits"}, new String[] {"entropy", "varentropy", "kl"});
    double[] q = logq();
    double sumH = 0, sumVar = 0, sumKl = 0, maxErr = 0;
    long n = 0;
    for (Row r : out.select("id", "entropy", "varentropy", "kl").collectAsList()) {
      double[] ref = reference(logits[(int) r.getLong(0)], q);
      double h = r.getDouble(1), var = r.getDouble(2), k = r.getDouble(3);
      maxErr = Math.max(maxErr, Math.max(Math.abs(h - ref[0]), Math.max(Math.abs(var - ref[1]), Math.abs(k - ref[2]))));
      sumH += h;
      sumVar += var;
      sumKl += k;
      n++;
    }
    return new Result(n, sumH / n, sumVar / n, sumKl / n, maxErr);
  }

  /** Entropy, varentropy and KL of one row in float64 loops (the check). */
  public static double[] reference(double[] logits, double[] logq) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) max = Math.max(max, l);
    double s = 0;
    for (double l : logits) s += Math.exp(l - max);
    double lse = max + Math.log(s);
    double h = 0, kl = 0;
    for (int v = 0; v < logits.length; v++) {
      double logp = logits[v] - lse, p = Math.exp(logp);
      h -= p * logp;
      if (p > 0) kl += p * (logp - logq[v]);
    }
    double var = 0;
    for (double l : logits) {
      double logp = l - lse, c = logp + h;
      var += Math.exp(logp) * c * c;
    }
    return new double[] {h, var, kl};
  }
}
