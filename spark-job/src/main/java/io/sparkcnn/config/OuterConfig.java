package io.sparkcnn.config;

import java.util.List;

/**
 * The outer optimizer: the step the driver takes after each averaging round. The round's average minus the
 * parameters the round started from is a pseudo-gradient {@code Δ}; {@code none} takes the average as it is
 * (plain parameter averaging), the others add momentum across rounds.
 *
 * <ul>
 *   <li>{@code heavy-ball}: block momentum as in BMUF (Chen and Huo, ICASSP 2016):
 *       {@code v = momentum v + lr Δ}, new parameters = previous + {@code v}.</li>
 *   <li>{@code nesterov}: Nesterov outer momentum as in DiLoCo (Douillard et al., 2023):
 *       {@code v = momentum v + Δ}, new parameters = previous + {@code lr (Δ + momentum v)}.</li>
 * </ul>
 * With {@code lr = 1} and {@code momentum = 0} both are plain averaging. {@code auto} is resolved for the run's
 * number of workers by {@code io.sparkcnn.train.WorkerScaling}: plain averaging up to the reference worker count,
 * Nesterov above it.
 *
 * @param method   {@code auto}, {@code none}, {@code heavy-ball} or {@code nesterov}
 * @param lr       outer learning rate, &gt; 0 (DiLoCo: 0.7; BMUF's block learning rate: 1)
 * @param momentum in [0, 1) (DiLoCo: 0.9; BMUF: 1 - 1/workers)
 */
public record OuterConfig(String method, double lr, double momentum) {
    /** The method chosen by the number of workers. */
    public static final String AUTO = "auto";
    /** The accepted values of {@code method}. */
    public static final List<String> METHODS = List.of(AUTO, "none", "heavy-ball", "nesterov");

    /** Plain averaging. */
    public static OuterConfig none() {
        return new OuterConfig("none", 1, 0);
    }

    /** Whether the driver's step is the average itself. */
    public boolean plain() {
        return method.equals("none");
    }
}
