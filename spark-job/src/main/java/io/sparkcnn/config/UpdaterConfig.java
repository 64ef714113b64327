package io.sparkcnn.config;

/**
 * An optimizer and its parameters. Each type uses a subset of the parameters and ignores the others:
 * <ul>
 *   <li>{@code adadelta}: rho, epsilon (no learning rate: it behaves like Keras {@code Adadelta(lr=1.0)})</li>
 *   <li>{@code adam}, {@code adamax}, {@code nadam}: learning-rate, beta1, beta2, epsilon</li>
 *   <li>{@code sgd}: learning-rate; {@code nesterovs}: learning-rate, momentum</li>
 *   <li>{@code rmsprop}: learning-rate, rho (decay of the squared-gradient average), epsilon</li>
 *   <li>{@code adagrad}: learning-rate, epsilon</li>
 * </ul>
 *
 * @param type         one of {@link #TYPES}
 * @param learningRate step size, &gt; 0
 * @param rho          decay rate in (0, 1)
 * @param epsilon      numerical-stability constant, &gt; 0
 * @param beta1        first-moment decay in [0, 1)
 * @param beta2        second-moment decay in [0, 1)
 * @param momentum     momentum in [0, 1)
 */
public record UpdaterConfig(String type, double learningRate, double rho, double epsilon, double beta1,
                            double beta2, double momentum) {
    /** Every updater type. */
    public static final java.util.List<String> TYPES =
            java.util.List.of("adadelta", "adam", "adamax", "nadam", "sgd", "nesterovs", "rmsprop", "adagrad");
}
