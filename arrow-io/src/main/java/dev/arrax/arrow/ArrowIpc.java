package dev.arrax.arrow;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads and writes lists of record batches in Arrow's IPC formats: the random-access file format
 * ({@code .arrow}, Feather v2) and the streaming format. Batches written together share one schema.
 *
 * <pre>{@code
 * ArrowIpc.writeFile(path, schema, List.of(batch1, batch2), allocator);
 * try (ArrowIpc.Batches read = ArrowIpc.readFile(path, allocator)) {
 *   for (VectorSchemaRoot b : read.batches()) { ... }
 * }
 * }</pre>
 */
public final class ArrowIpc {
  private ArrowIpc() {}

  /**
   * Batches read back, each holding its own buffers from the reader's allocator. Closing this closes every
   * batch.
   */
  public static final class Batches implements AutoCloseable {
    private final Schema schema;
    private final List<VectorSchemaRoot> batches;

    Batches(Schema schema, List<VectorSchemaRoot> batches) {
      this.schema = schema;
      this.batches = Collections.unmodifiableList(batches);
    }

    /** The Arrow schema shared by every batch (as written). */
    public Schema schema() { return schema; }

    /** The batches in stream order, read-only; they stay valid until this object is closed. */
    public List<VectorSchemaRoot> batches() { return batches; }

    @Override public void close() {
      for (VectorSchemaRoot b : batches) b.close();
    }
  }

  /** Writes the batches (all of {@code schema}) as an Arrow IPC file, replacing any file at {@code file}. */
  public static void writeFile(Path file, Schema schema, List<VectorSchemaRoot> batches, BufferAllocator allocator)
      throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
         VectorSchemaRoot staging = VectorSchemaRoot.create(schema, allocator);
         ArrowFileWriter writer = new ArrowFileWriter(staging, null, channel)) {
      writeAll(writer, staging, schema, batches);
    }
  }

  /** Writes the batches (all of {@code schema}) in the Arrow IPC streaming format; leaves {@code out} open. */
  public static void writeStream(OutputStream out, Schema schema, List<VectorSchemaRoot> batches, BufferAllocator allocator)
      throws IOException {
    try (VectorSchemaRoot staging = VectorSchemaRoot.create(schema, allocator);
         ArrowStreamWriter writer = new ArrowStreamWriter(staging, null, Channels.newChannel(out))) {
      writeAll(writer, staging, schema, batches);
    }
  }

  private static void writeAll(ArrowWriter writer, VectorSchemaRoot staging, Schema schema, List<VectorSchemaRoot> batches)
      throws IOException {
    writer.start();
    VectorLoader loader = new VectorLoader(staging);
    for (int i = 0; i < batches.size(); i++) {
      VectorSchemaRoot b = batches.get(i);
      if (!b.getSchema().equals(schema)) {
        throw new IllegalArgumentException("ArrowIpc: batch " + i + " has schema " + b.getSchema()
            + " but the file's schema is " + schema);
      }
      // The staging root takes references to the batch's buffers: nothing is copied before the write.
      try (ArrowRecordBatch rb = new VectorUnloader(b).getRecordBatch()) {
        loader.load(rb);
      }
      writer.writeBatch();
    }
    writer.end();
  }

  /** Reads every batch of an Arrow IPC file into buffers from {@code allocator}. */
  public static Batches readFile(Path file, BufferAllocator allocator) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
         ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      return readAll(reader, allocator);
    }
  }

  /** Reads every batch of an Arrow IPC stream into buffers from {@code allocator}; leaves {@code in} open. */
  public static Batches readStream(InputStream in, BufferAllocator allocator) throws IOException {
    try (ArrowStreamReader reader = new ArrowStreamReader(Channels.newChannel(in), allocator)) {
      return readAll(reader, allocator);
    }
  }

  private static Batches readAll(ArrowReader reader, BufferAllocator allocator) throws IOException {
    VectorSchemaRoot current = reader.getVectorSchemaRoot();
    Schema schema = current.getSchema();
    List<VectorSchemaRoot> out = new ArrayList<>();
    try {
      while (reader.loadNextBatch()) {
        // The reader reuses its root for every batch: move this batch's buffers into a root of our own.
        VectorSchemaRoot copy = VectorSchemaRoot.create(schema, allocator);
        out.add(copy);
        try (ArrowRecordBatch rb = new VectorUnloader(current).getRecordBatch()) {
          new VectorLoader(copy).load(rb);
        }
      }
    } catch (IOException | RuntimeException e) {
      for (VectorSchemaRoot b : out) b.close();
      throw e;
    }
    return new Batches(schema, out);
  }
}
