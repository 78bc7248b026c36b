package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The progress line of long local runs: rows done, partitions, rows/s and an ETA, from the map node's row metric. */
class SparkProgressTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    // A 0-second interval: every finished partition logs a line (the default, 10 s, keeps quick jobs quiet).
    spark = SparkSession.builder().appName("SparkProgressTest").master("local[2]")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.arrax.progressSeconds", "0").getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  @Test
  void progressLinesCountRowsAndPartitionsAndEndWithTheTotal() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) rows.add(RowFactory.create((long) i, new float[] {i, 1f, 2f, 3f}));
    try (LogCapture log = new LogCapture("dev.arrax.spark.ArraxProgress")) {
      long n = ArraxSpark.map(SparkTestSupport.frame(spark, rows, SparkPlanNodeTest.ID_X, 4), SparkPlanNodeTest.SUM2,
          new String[] {"x"}, new String[] {"y"}, ArraxOptions.defaults().withArrayLength("x", 4).withBatchRows(64)).count();
      assertEquals(1000, n);
      long deadline = System.currentTimeMillis() + 10_000;
      while (log.matching("(done)").isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20); // the listener bus is asynchronous
      List<String> lines = log.matching("arrax progress 'ArraxSpark.map f(x) -> y': ");
      assertTrue(lines.size() >= 2, "a line per finished partition and a final one: " + lines);
      Pattern p = Pattern.compile("INFO arrax progress 'ArraxSpark.map f\\(x\\) -> y': ([0-9,]+) rows, (\\d)/4 partitions, [0-9,]+ rows/s(, ETA \\d+ s)?( \\(done\\))?");
      long lastRows = -1;
      for (String line : lines) {
        Matcher m = p.matcher(line);
        assertTrue(m.matches(), line);
        long r = Long.parseLong(m.group(1).replace(",", ""));
        assertTrue(r >= lastRows, "rows only grow: " + lines);
        lastRows = r;
        if (m.group(4) == null) assertTrue(m.group(3) != null, "an unfinished stage has an ETA: " + line);
      }
      String last = lines.get(lines.size() - 1);
      assertTrue(last.contains(": 1,000 rows, 4/4 partitions, ") && last.endsWith(" (done)"), last);
    }
  }
}
