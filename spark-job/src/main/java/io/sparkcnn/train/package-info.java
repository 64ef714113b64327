/**
 * The training run: {@link io.sparkcnn.train.TrainJob} and its phases (start, epoch loop, finish), the parameter-
 * averaging trainer on Spark with the outer optimizer and deterministic averaging, and the run's bookkeeping
 * (checkpoints, history, progress, throughput).
 */
package io.sparkcnn.train;
