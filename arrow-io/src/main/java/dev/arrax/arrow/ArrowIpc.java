package dev.arrax.arrow;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
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
    checkSchemas(schema, batches);
    boolean done = false;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
         VectorSchemaRoot staging = VectorSchemaRoot.create(schema, allocator);
         ArrowFileWriter writer = new ArrowFileWriter(staging, null, channel)) {
      writeAll(writer, staging, schema, batches);
      done = true;
    } finally {
      // Closing Arrow's writer after a failure still writes a footer: a shorter file that would read as whole.
      if (!done) Files.deleteIfExists(file);
    }
  }

  /** Writes the batches (all of {@code schema}) in the Arrow IPC streaming format; leaves {@code out} open. */
  public static void writeStream(OutputStream out, Schema schema, List<VectorSchemaRoot> batches, BufferAllocator allocator)
      throws IOException {
    checkSchemas(schema, batches);
    try (VectorSchemaRoot staging = VectorSchemaRoot.create(schema, allocator);
         ArrowStreamWriter writer = new ArrowStreamWriter(staging, null, Channels.newChannel(new UnclosedOutput(out)))) {
      writeAll(writer, staging, schema, batches);
    }
  }

  /** Before any byte is written: Arrow's writers end the output even when a write fails, so it would look complete. */
  private static void checkSchemas(Schema schema, List<VectorSchemaRoot> batches) {
    for (int i = 0; i < batches.size(); i++) {
      Schema b = batches.get(i).getSchema();
      if (!b.equals(schema)) {
        throw new IllegalArgumentException("ArrowIpc: batch " + i + " has schema " + b + " but the file's schema is " + schema
            + "; nothing was written");
      }
    }
  }

  private static void writeAll(ArrowWriter writer, VectorSchemaRoot staging, Schema schema, List<VectorSchemaRoot> batches)
      throws IOException {
    writer.start();
    VectorLoader loader = new VectorLoader(staging);
    for (int i = 0; i < batches.size(); i++) {
      VectorSchemaRoot b = batches.get(i);
      // The staging root takes references to the batch's buffers: nothing is copied before the write.
      try (ArrowRecordBatch rb = new VectorUnloader(b).getRecordBatch()) {
        loader.load(rb);
      }
      writer.writeBatch();
    }
    writer.end();
  }

  /**
   * Reads every batch of an Arrow IPC file into buffers from {@code allocator}.
   *
   * @throws ArrowIpcException if the file is cut short, its footer or blocks do not fit the file, or a batch does not
   *     decode to valid columns; nothing stays allocated then
   */
  public static Batches readFile(Path file, BufferAllocator allocator) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return IpcInput.readFile(channel, allocator, "ArrowIpc.readFile(" + file + ")");
    }
  }

  /**
   * Reads every batch of an Arrow IPC stream into buffers from {@code allocator}; leaves {@code in} open.
   *
   * @throws ArrowIpcException if the stream ends without its end-of-stream marker (cut, possibly at a message
   *     boundary: the message names the batches and rows read), or a message is corrupt; nothing stays allocated then
   */
  public static Batches readStream(InputStream in, BufferAllocator allocator) throws IOException {
    return IpcInput.readStream(Channels.newChannel(new UnclosedInput(in)), allocator, "ArrowIpc.readStream(stream)");
  }

  /** The caller's stream, which closing a channel over it must not close. */
  private static final class UnclosedInput extends FilterInputStream {
    UnclosedInput(InputStream in) { super(in); }

    @Override public void close() {}
  }

  /** The caller's stream, which closing the Arrow writer must not close. */
  private static final class UnclosedOutput extends FilterOutputStream {
    UnclosedOutput(OutputStream out) { super(out); }

    @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

    @Override public void close() throws IOException { out.flush(); }
  }
}
