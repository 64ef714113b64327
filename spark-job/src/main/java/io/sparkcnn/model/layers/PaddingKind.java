package io.sparkcnn.model.layers;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a padded image fills the pixels outside the original one, along each spatial axis separately. Shown for one
 * row {@code a b c d} padded by 2 on each side ({@code |} marks the original's border):
 * <pre>
 * ZERO       0 0 | a b c d | 0 0
 * EDGE       a a | a b c d | d d     numpy 'edge'
 * SYMMETRIC  b a | a b c d | d c     numpy 'symmetric': mirror that repeats the border pixel
 * REFLECT    c b | a b c d | c b     numpy 'reflect', TensorFlow REFLECT: mirror that skips the border pixel
 * WRAP       c d | a b c d | a b     numpy 'wrap': the opposite side, periodically
 * </pre>
 * Every kind is defined for any padding amount, also one wider than the image: EDGE clamps, WRAP has period
 * {@code n}, SYMMETRIC period {@code 2n} and REFLECT period {@code 2n-2} (for {@code n = 1} REFLECT is EDGE),
 * which is what numpy gives for large pads.
 */
public enum PaddingKind {
    ZERO, EDGE, SYMMETRIC, REFLECT, WRAP;

    /** The lower-case names {@link #fromName} accepts, in declaration order. */
    public static final List<String> NAMES = Arrays.stream(values()).map(PaddingKind::lowerName).toList();

    /** This kind's lower-case name, e.g. {@code "symmetric"}. */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind with the lower-case name {@code name} (one of {@link #NAMES}). */
    public static PaddingKind fromName(String name) {
        for (PaddingKind k : values()) {
            if (k.lowerName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown padding kind '" + name + "', expected one of " + NAMES);
    }

    /**
     * The index in {@code [0, n)} of the original pixel that padded coordinate {@code i} copies, or -1 for a zero.
     *
     * @param i coordinate relative to the original image: {@code 0..n-1} inside it, negative before it and
     *          {@code >= n} after it
     * @param n the original image's extent along this axis, at least 1
     */
    public int source(int i, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("image extent must be at least 1, got " + n);
        }
        return switch (this) {
            case ZERO -> i >= 0 && i < n ? i : -1;
            case EDGE -> Math.min(Math.max(i, 0), n - 1);
            case WRAP -> Math.floorMod(i, n);
            case SYMMETRIC -> {
                int m = Math.floorMod(i, 2 * n);
                yield m < n ? m : 2 * n - 1 - m;
            }
            case REFLECT -> {
                if (n == 1) {
                    yield 0;
                }
                int m = Math.floorMod(i, 2 * n - 2);
                yield m < n ? m : 2 * n - 2 - m;
            }
        };
    }
}
