/**
 * Internal: the typed program IR (jaxpr-like): {@code Program}, equations, variables and literals, the exact text printer and parser used to ship programs, and the verifier run after every transformation in tests.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.ir;
