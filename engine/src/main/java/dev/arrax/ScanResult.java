package dev.arrax;

/** The result of {@link Lax#scan}: the final carry and every step's output stacked along a new leading axis. */
public record ScanResult(NDArray carry, NDArray ys) {}
