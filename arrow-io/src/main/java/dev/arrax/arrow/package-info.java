/**
 * Arrow vectors to and from Arrax arrays with one bulk copy ({@link dev.arrax.arrow.ArrowArrays}), null policies
 * ({@code ERROR}, {@code NULL_ROW}, {@code FILL}), IPC files and streams, and the direct batches other backends
 * read off-heap. Works without Spark; every Arrow resource is {@code AutoCloseable} and comes from the caller's
 * allocator.
 */
package dev.arrax.arrow;
