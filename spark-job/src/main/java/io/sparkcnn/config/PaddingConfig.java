package io.sparkcnn.config;

/**
 * How a convolution pads its input: the kind of fill and the number of pixels added on each side, or
 * {@code same}, which chooses the amounts (like TensorFlow) so that the output has {@code ceil(input / stride)}
 * pixels, the extra pixel of an odd total going to the bottom or right.
 *
 * @param kind   {@code zero}, {@code edge} (repeat the border pixel), {@code symmetric} (mirror including the
 *               border pixel), {@code reflect} (mirror without it) or {@code wrap} (take pixels from the
 *               opposite side)
 * @param same   pad to "same" output size; the four amounts are then 0 and computed when the network is built
 * @param top    rows added above, &gt;= 0
 * @param bottom rows added below, &gt;= 0
 * @param left   columns added on the left, &gt;= 0
 * @param right  columns added on the right, &gt;= 0
 */
public record PaddingConfig(String kind, boolean same, int top, int bottom, int left, int right) {
    /** Every padding kind. */
    public static final java.util.List<String> KINDS = java.util.List.of("zero", "edge", "symmetric", "reflect", "wrap");

    /** No padding ("valid" convolution). */
    public static final PaddingConfig NONE = new PaddingConfig("zero", false, 0, 0, 0, 0);

    /** True when no pixel is added. */
    public boolean isNone() {
        return !same && top == 0 && bottom == 0 && left == 0 && right == 0;
    }
}
