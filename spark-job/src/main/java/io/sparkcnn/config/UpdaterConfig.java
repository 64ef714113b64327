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
 * @param schedule     how the learning rate changes from epoch to epoch ({@link Schedule#NONE}: it does not)
 */
public record UpdaterConfig(String type, double learningRate, double rho, double epsilon, double beta1,
                            double beta2, double momentum, Schedule schedule) {
    /** Every updater type. */
    public static final java.util.List<String> TYPES =
            java.util.List.of("adadelta", "adam", "adamax", "nadam", "sgd", "nesterovs", "rmsprop", "adagrad");

    /**
     * The learning rate of epoch {@code e} (counted from 0 in each run): {@code none}: the learning rate;
     * {@code exponential}: {@code learning-rate x gamma^e} (the decay of Keras's {@code LearningRateScheduler} in the
     * examples this job follows); {@code step}: {@code learning-rate x gamma^floor(e / every)}. DL4J's own epoch
     * schedules ({@code ExponentialSchedule}, {@code StepSchedule}) compute it on every worker.
     *
     * @param type  one of {@link #TYPES}
     * @param gamma the factor per epoch ({@code exponential}) or per {@code every} epochs ({@code step}), in (0, 1]
     * @param every {@code step}: epochs between two decays, at least 1
     */
    public record Schedule(String type, double gamma, int every) {
        public static final java.util.List<String> TYPES = java.util.List.of("none", "exponential", "step");
        public static final Schedule NONE = new Schedule("none", 1, 1);

        public boolean isNone() {
            return type.equals("none");
        }

        /** The factor on the learning rate in epoch {@code epoch} (from 0). */
        public double factor(int epoch) {
            return switch (type) {
                case "exponential" -> Math.pow(gamma, epoch);
                case "step" -> Math.pow(gamma, Math.floorDiv(epoch, every));
                default -> 1;
            };
        }
    }
}
