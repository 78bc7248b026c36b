package dev.arrax.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arrax.Arrax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import org.junit.jupiter.api.Test;

/** Java serialization goes through the text form; a hand-made stream of raw fields is refused. */
class ProgramSerializationTest {
  @Test void roundTripThroughTextAndRawFormRefused() throws Exception {
    Program p = Arrax.makeJaxpr(a -> Np.tanh(Np.add(a[0], NDArray.of(1.0, 2.0))), NDArray.of(0.5, -0.5));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(p.toText(), ((Program) in.readObject()).toText());
    }
    // The class descriptor of Program itself (what a stream bypassing writeReplace would name) cannot be read.
    ObjectStreamClass desc = ObjectStreamClass.lookup(Program.class);
    java.lang.reflect.Method readObject = Program.class.getDeclaredMethod("readObject", ObjectInputStream.class);
    readObject.setAccessible(true);
    java.lang.reflect.InvocationTargetException e = assertThrows(java.lang.reflect.InvocationTargetException.class,
        () -> readObject.invoke(p, (ObjectInputStream) null));
    assertEquals(InvalidObjectException.class, e.getCause().getClass());
    assertEquals("a Program is serialized as its text (Program.toText) and read back through Program.parse", e.getCause().getMessage());
    assertEquals(Program.class, desc.forClass());
  }
}
