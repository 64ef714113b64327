package io.sparkcnn.model.layers;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class PaddingKindTest {
    /** Sources of i = -6..8 for an image of extent 3 (pads wider than the image), as numpy.pad gives them. */
    @Test
    void sourceFollowsTheNumpyModesForPadsWiderThanTheImage() {
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1, -1, 0, 1, 2, -1, -1, -1, -1, -1, -1}, sources(PaddingKind.ZERO, 3));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2}, sources(PaddingKind.EDGE, 3));
        assertArrayEquals(new int[] {0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2}, sources(PaddingKind.SYMMETRIC, 3));
        assertArrayEquals(new int[] {2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1, 0}, sources(PaddingKind.REFLECT, 3));
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, sources(PaddingKind.WRAP, 3));
    }

    @Test
    void aOnePixelImageRepeatsItsPixelExceptForZero() {
        for (PaddingKind kind : PaddingKind.values()) {
            int expectedOutside = kind == PaddingKind.ZERO ? -1 : 0;
            assertEquals(expectedOutside, kind.source(-3, 1), kind.name());
            assertEquals(0, kind.source(0, 1), kind.name());
            assertEquals(expectedOutside, kind.source(2, 1), kind.name());
        }
        assertThrows(IllegalArgumentException.class, () -> PaddingKind.EDGE.source(0, 0));
    }

    @Test
    void fromNameAcceptsTheLowerCaseNamesAndListsThemOnError() {
        assertEquals(List.of("zero", "edge", "symmetric", "reflect", "wrap"), PaddingKind.NAMES);
        for (PaddingKind kind : PaddingKind.values()) {
            assertEquals(kind, PaddingKind.fromName(kind.lowerName()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PaddingKind.fromName("mirror"));
        assertTrue(e.getMessage().contains("mirror") && e.getMessage().contains("[zero, edge, symmetric, reflect, wrap]"),
                e.getMessage());
    }

    private static int[] sources(PaddingKind kind, int n) {
        int[] ret = new int[15];
        for (int i = -6; i <= 8; i++) {
            ret[i + 6] = kind.source(i, n);
        }
        return ret;
    }
}
