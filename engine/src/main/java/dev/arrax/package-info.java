/**
 * Arraxs public API: JAXs function transformations for Java.
 *
 * <p>Write a pure array function for one row ({@link dev.arrax.Fn}), then transform it with
 * {@link dev.arrax.Arrax}: {@code grad}, {@code vjp}, {@code jvp}, {@code jacfwd}, {@code jacrev},
 * {@code hessian}, {@code vmap}, {@code jit}. Arrays are {@link dev.arrax.NDArray} (immutable, row-major,
 * NumPy broadcasting, JAXs dtype promotion); the operations are in {@link dev.arrax.Np} (jax.numpy),
 * {@link dev.arrax.Nn} (jax.nn), {@link dev.arrax.Lax} (jax.lax, control flow included),
 * {@link dev.arrax.Special}, {@link dev.arrax.Linalg} and {@link dev.arrax.Prng} (jax.random, bit-exact).
 *
 * <pre>{@code
 * Fn loss = a -> Np.sum(Np.tanh(Np.dot(a[1], a[0])));     // a[0] = w [d], a[1] = x [d]
 * Fn perRowGrad = Arrax.jit(Arrax.vmap(Arrax.grad(loss), null, 0));
 * NDArray g = perRowGrad.apply(w, X);                     // [rows, d]
 * }</pre>
 *
 * <p>Only this package and {@code dev.arrax.backend} are API; the other {@code dev.arrax.*} packages of the
 * engine are internal.
 */
package dev.arrax;
