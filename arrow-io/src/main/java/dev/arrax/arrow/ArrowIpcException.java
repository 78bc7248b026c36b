package dev.arrax.arrow;

import java.io.IOException;

/**
 * An Arrow IPC file or stream that cannot be read as written: cut short (a stream without its end-of-stream
 * marker, a file without its footer), a footer whose blocks do not fit the file, a message whose lengths run
 * past the input, metadata that is not a valid flatbuffer, or a batch whose buffers do not hold its rows.
 * Every such input ends in this one type, and nothing read before the failure stays allocated.
 *
 * <p>It is an {@link IOException}, as {@link java.util.zip.ZipException} is: the read methods already declare
 * one, and a caller that handles I/O failures handles this too. The message names the input, the batch,
 * how many batches and rows were read before it and the byte offset; {@link #batchIndex()},
 * {@link #batchesRead()} and {@link #rowsRead()} give the same numbers to code.
 */
public class ArrowIpcException extends IOException {
  private final String source;
  private final int batchIndex;
  private final int batchesRead;
  private final long rowsRead;

  ArrowIpcException(String source, int batchIndex, int batchesRead, long rowsRead, String message, Throwable cause) {
    super(message, cause);
    this.source = source;
    this.batchIndex = batchIndex;
    this.batchesRead = batchesRead;
    this.rowsRead = rowsRead;
  }

  /** The input as named in the message: a file path, or {@code stream}. */
  public String source() { return source; }

  /** The record batch being read when the input failed (0-based), or -1 before the first batch (schema, footer). */
  public int batchIndex() { return batchIndex; }

  /** How many record batches were read completely before the failure (all of them released). */
  public int batchesRead() { return batchesRead; }

  /** How many rows those batches held. */
  public long rowsRead() { return rowsRead; }
}
