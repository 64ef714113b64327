package io.sparkcnn.config;

/**
 * Checkpoints on the driver after every epoch, and optionally every {@code everyRounds} averaging rounds within
 * an epoch, so that a killed run can continue instead of starting over.
 *
 * @param enabled write a checkpoint after every epoch (deleted when the run has saved its model)
 * @param dir     where; empty = {@code <output.path>.checkpoints} beside the output
 * @param resume  continue from the newest checkpoint in {@code dir}; refused if it was written with another
 *                configuration
 * @param keep    checkpoints kept (older ones are deleted), &gt;= 1
 * @param everyRounds also checkpoint within an epoch after every this many averaging rounds (each round is
 *                {@code workers x train.averaging-frequency} minibatches); 0 = at the ends of epochs only
 */
public record CheckpointConfig(boolean enabled, String dir, boolean resume, int keep, int everyRounds) {
}
