package dev.arrax.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** One RootAllocator per test; a test that leaves any Arrow memory allocated fails. */
abstract class AllocatorTestBase {
  protected BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void checkNoLeak() {
    long leaked = allocator.getAllocatedMemory();
    try {
      assertEquals(0L, leaked, "Arrow memory still allocated at the end of the test (leak):\n" + allocator.toVerboseString());
    } finally {
      if (leaked == 0) allocator.close();
    }
  }
}
