package dev.simdnet.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelProviderTest {

    @Test
    void choosesOnceAndHonoursTheProperty() {
        Kernels first = KernelProvider.get();
        assertSame(first, KernelProvider.get());
        String forced = System.getProperty("simdnet.kernels", "auto");
        if (forced.equals("scalar")) {
            assertEquals("scalar", first.name());
            assertTrue(KernelProvider.reason().contains("-Dsimdnet.kernels=scalar"), KernelProvider.reason());
        } else if (KernelProvider.vector().isPresent()) {
            // Surefire adds the module and runs C2, so auto must pick the vector kernels.
            assertTrue(first.name().startsWith("vector-"), first.name());
            String bits = System.getProperty("simdnet.vector.bits");
            if (bits != null) {
                assertEquals("vector-" + bits, first.name());
            }
        }
    }
}
