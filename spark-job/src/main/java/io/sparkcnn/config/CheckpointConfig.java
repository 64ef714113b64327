package io.sparkcnn.config;

/**
 * Checkpoints on the driver after every epoch, so that a killed run can continue instead of starting over.
 *
 * @param enabled write a checkpoint after every epoch (deleted when the run has saved its model)
 * @param dir     where; empty = {@code <output.path>.checkpoints} beside the output
 * @param resume  continue from the newest checkpoint in {@code dir}; refused if it was written with another
 *                configuration
 * @param keep    checkpoints kept (older ones are deleted), &gt;= 1
 */
public record CheckpointConfig(boolean enabled, String dir, boolean resume, int keep) {
}
