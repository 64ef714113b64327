package io.sparkcnn.config;

/**
 * How the averaging adapts to the number of workers W that Spark gives ({@code io.sparkcnn.train.WorkerScaling}).
 * With more workers each one takes fewer steps per epoch, and the average of W models that each took k steps moves
 * the weights about as far as k steps of one model; above {@code referenceWorkers} the job therefore averages more
 * often (the same rounds per epoch as at the reference) and, with {@code train.outer.method = auto}, lets the driver
 * amplify each round's step with Nesterov momentum {@code 1 - referenceWorkers / W}.
 *
 * @param adapt            whether to adapt; {@code false} keeps {@code averaging-frequency} and takes {@code auto} as
 *                         plain averaging at every W
 * @param referenceWorkers the W that {@code train.averaging-frequency} is chosen for, at least 1; at or below it
 *                         nothing changes
 */
public record ScalingConfig(boolean adapt, int referenceWorkers) {
    /** Adapting above two workers, the default. */
    public static final ScalingConfig DEFAULTS = new ScalingConfig(true, 2);
    /** Never adapting. */
    public static final ScalingConfig OFF = new ScalingConfig(false, 2);
}
