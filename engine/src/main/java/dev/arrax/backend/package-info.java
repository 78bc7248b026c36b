/**
 * The backend seam (stable SPI): a {@link dev.arrax.backend.Backend} claims segments of a planned program and
 * compiles what it claimed into an {@link dev.arrax.backend.Executable}. Backends are found with
 * {@link java.util.ServiceLoader} through {@code META-INF/services/dev.arrax.backend.Backend}: the engine
 * registers {@code cpu}, the {@code arrax-gpu-rapids} module registers {@code gpu}. Shaded jars must merge
 * service files (the Spark bundle does).
 */
package dev.arrax.backend;
