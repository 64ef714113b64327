package io.sparkcnn.config;

/**
 * A regularizer of the weights, as the lecture lists them (β: the weights of one layer, in DL4J's flattened
 * order; biases are never penalized):
 * <ul>
 *   <li>{@code none}</li>
 *   <li>{@code l2} (ridge): strength·Σβ²</li>
 *   <li>{@code l1} (lasso): strength·Σ|β|</li>
 *   <li>{@code elastic-net}: l1·Σ|β| + l2·Σβ²</li>
 *   <li>{@code index-power}: strength·Σ(i+1)^power·β_i², a penalty that grows with the coefficient's index i</li>
 *   <li>{@code lp}: strength·Σ(β² + epsilon)^(p/2) with 0 &lt; p &lt; 1, smoothed by epsilon near 0</li>
 * </ul>
 *
 * @param type     one of {@link #TYPES}
 * @param strength λ of l2, l1, index-power and lp, &gt; 0
 * @param l1       elastic net's L1 strength, &gt; 0
 * @param l2       elastic net's L2 strength, &gt; 0
 * @param power    index-power's exponent k, &gt;= 0
 * @param p        lp's exponent, in (0, 1)
 * @param epsilon  lp's smoothing constant, &gt; 0
 */
public record PenaltyConfig(String type, double strength, double l1, double l2, double power, double p,
                            double epsilon) {
    /** Every regularizer type. */
    public static final java.util.List<String> TYPES = java.util.List.of("none", "l2", "l1", "elastic-net", "index-power", "lp");

    /** No penalty. */
    public static final PenaltyConfig NONE = new PenaltyConfig("none", 0, 0, 0, 0, 0.5, 1e-8);

    public boolean isNone() {
        return type.equals("none");
    }
}
