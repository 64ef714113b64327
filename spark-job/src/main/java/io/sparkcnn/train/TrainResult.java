package io.sparkcnn.train;

import io.sparkcnn.eval.EvaluationReport;

/**
 * What a training run produced.
 *
 * @param outputDir    qualified directory holding the model and its evaluation
 * @param evaluation   evaluation of the final model on the held-out images
 * @param heldOutRole  {@code test} (a test file) or {@code validation} (split off the training file)
 * @param training     speed of the training phase (all epochs)
 * @param epochScores  training loss DL4J reported at the end of each epoch (last averaging round)
 * @param workers      number of parameter-averaging workers
 * @param master       the Spark master the job ran on
 * @param history      per epoch: loss, accuracies, wall time and throughput (also in {@code history.json})
 */
public record TrainResult(String outputDir, EvaluationReport evaluation, String heldOutRole, Throughput training, double[] epochScores,
                          int workers, String master, TrainingHistory history) {
}
