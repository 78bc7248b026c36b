package dev.arrax

import java.util.{LinkedHashMap => JLinkedHashMap, Map => JMap}

import scala.language.implicitConversions

/**
 * Scala syntax over the Java API: `import dev.arrax._, dev.arrax.syntax._` in a notebook cell.
 *
 * {{{
 * val x = NDArray.of(1.0, 2.0, 3.0)
 * val y = 2.0 * x + x * x - 1.0           // operators call Np.add, Np.multiply, ...
 * val loss: Fn = a => Np.sum(a(0) * a(0))                    // a: Array[NDArray] (Fn's own SAM)
 * val g = Arrax.grad((x: NDArray) => Np.sum(Np.tanh(x)))   // a typed lambda where an Fn is expected
 * ArraxSpark.map(df, g, Seq("x"), Seq("g"))                  // Seq for String[] column lists
 * ArraxSpark.sumGradient(df, loss, Map("w" -> w), Seq("x"))  // Scala Map for java.util.Map
 * }}}
 *
 * Everything here is a thin adapter: each operator is one `Np` call, so tracing, grad, vmap and jit see
 * exactly the Java calls.
 */
package object syntax {

  /** A function of all its arguments as one array, for any arity: `fn(a => Np.dot(a(0), a(1)))`. */
  def fn(f: Array[NDArray] => NDArray): Fn = new Fn {
    override def call(args: Array[NDArray]): NDArray = f(args)
  }

  /** `(a: Array[NDArray]) => ...` where an `Fn` is expected. */
  implicit def arrayFunctionToFn(f: Array[NDArray] => NDArray): Fn = fn(f)

  /** `(x: NDArray) => ...` where an `Fn` is expected. */
  implicit def function1ToFn(f: NDArray => NDArray): Fn = new Fn {
    override def call(args: Array[NDArray]): NDArray = {
      checkArity(1, args.length)
      f(args(0))
    }
  }

  /** `(x: NDArray, y: NDArray) => ...` where an `Fn` is expected. */
  implicit def function2ToFn(f: (NDArray, NDArray) => NDArray): Fn = new Fn {
    override def call(args: Array[NDArray]): NDArray = {
      checkArity(2, args.length)
      f(args(0), args(1))
    }
  }

  /** `(x: NDArray, y: NDArray, z: NDArray) => ...` where an `Fn` is expected. */
  implicit def function3ToFn(f: (NDArray, NDArray, NDArray) => NDArray): Fn = new Fn {
    override def call(args: Array[NDArray]): NDArray = {
      checkArity(3, args.length)
      f(args(0), args(1), args(2))
    }
  }

  /** Column lists: `Seq("x", "y")` where the Java API takes `String[]`. */
  implicit def seqToStringArray(columns: Seq[String]): Array[String] = columns.toArray

  /** Parameters: a Scala `Map` where the Java API takes `java.util.Map` (iteration order kept). */
  implicit def mapToJavaMap(params: scala.collection.Map[String, NDArray]): JMap[String, NDArray] = {
    val out = new JLinkedHashMap[String, NDArray]()
    params.foreach { case (k, v) => out.put(k, v) }
    out
  }

  /** Arithmetic and comparison operators on arrays, with NumPy broadcasting and JAX's promotion rules. */
  implicit final class NDArrayOps(private val x: NDArray) extends AnyVal {
    /** `x + y` (`Np.add(x, y)`), broadcasting and promoting. */
    def +(y: NDArray): NDArray = Np.add(x, y)
    /** `x + y` with a weakly typed scalar `y` (`Np.add(x, y)`). */
    def +(y: Double): NDArray = Np.add(x, y)
    /** `x - y` (`Np.subtract(x, y)`), broadcasting and promoting. */
    def -(y: NDArray): NDArray = Np.subtract(x, y)
    /** `x - y` with a weakly typed scalar `y` (`Np.subtract(x, y)`). */
    def -(y: Double): NDArray = Np.subtract(x, y)
    /** `x * y` elementwise (`Np.multiply(x, y)`), broadcasting and promoting. */
    def *(y: NDArray): NDArray = Np.multiply(x, y)
    /** `x * y` elementwise with a weakly typed scalar `y` (`Np.multiply(x, y)`). */
    def *(y: Double): NDArray = Np.multiply(x, y)
    /** `x / y`, true division (`Np.divide(x, y)`), broadcasting and promoting. */
    def /(y: NDArray): NDArray = Np.divide(x, y)
    /** `x / y`, true division with a weakly typed scalar `y` (`Np.divide(x, y)`). */
    def /(y: Double): NDArray = Np.divide(x, y)
    /** Power, as Python's `**`. */
    def **(y: NDArray): NDArray = Np.power(x, y)
    /** `x ** y` with a weakly typed scalar `y` (`Np.power(x, y)`). */
    def **(y: Double): NDArray = Np.power(x, y)
    /** `-x` (`Np.negative(x)`); an error for a bool array. */
    def unary_- : NDArray = Np.negative(x)
    /** `x < y`, a bool array (`Np.less(x, y)`), broadcasting and promoting. */
    def <(y: NDArray): NDArray = Np.less(x, y)
    /** `x < y`, a bool array with a weakly typed scalar `y` (`Np.less(x, y)`). */
    def <(y: Double): NDArray = Np.less(x, y)
    /** `x > y`, a bool array (`Np.greater(x, y)`), broadcasting and promoting. */
    def >(y: NDArray): NDArray = Np.greater(x, y)
    /** `x > y`, a bool array with a weakly typed scalar `y` (`Np.greater(x, y)`). */
    def >(y: Double): NDArray = Np.greater(x, y)
    /** Matrix product, as Python's `@` (which Scala reserves). */
    def dot(y: NDArray): NDArray = Np.dot(x, y)
    /** `Np.matmul(x, y)`: matrix products over the last two axes, broadcasting the leading (batch) axes. */
    def matmul(y: NDArray): NDArray = Np.matmul(x, y)
  }

  /** A Scala `Double` on the left of an array operator stays weakly typed (`2.0 * f32 array` is `f32`). */
  implicit final class DoubleArrayOps(private val d: Double) extends AnyVal {
    /** `d + y` with `d` weakly typed (`Np.add(d, y)`). */
    def +(y: NDArray): NDArray = Np.add(d, y)
    /** `d - y` with `d` weakly typed (`Np.subtract(d, y)`). */
    def -(y: NDArray): NDArray = Np.subtract(d, y)
    /** `d * y` with `d` weakly typed (`Np.multiply(d, y)`). */
    def *(y: NDArray): NDArray = Np.multiply(d, y)
    /** `d / y` with `d` weakly typed (`Np.divide(d, y)`). */
    def /(y: NDArray): NDArray = Np.divide(d, y)
    /** `d ** y` with `d` weakly typed (`Np.power(d, y)`). */
    def **(y: NDArray): NDArray = Np.power(d, y)
  }

  /** An `Int` literal on the left (`2 * x`) behaves as the weakly typed `Double`. */
  implicit final class IntArrayOps(private val i: Int) extends AnyVal {
    /** `i + y` with `i` as a weakly typed `Double` (`Np.add(i.toDouble, y)`). */
    def +(y: NDArray): NDArray = Np.add(i.toDouble, y)
    /** `i - y` with `i` as a weakly typed `Double` (`Np.subtract(i.toDouble, y)`). */
    def -(y: NDArray): NDArray = Np.subtract(i.toDouble, y)
    /** `i * y` with `i` as a weakly typed `Double` (`Np.multiply(i.toDouble, y)`). */
    def *(y: NDArray): NDArray = Np.multiply(i.toDouble, y)
    /** `i / y` with `i` as a weakly typed `Double` (`Np.divide(i.toDouble, y)`). */
    def /(y: NDArray): NDArray = Np.divide(i.toDouble, y)
  }

  private def checkArity(expected: Int, got: Int): Unit =
    if (expected != got) {
      throw new ArraxException("function takes " + expected + " argument" + (if (expected == 1) "" else "s")
        + " but was called with " + got)
    }
}
