package io.sparkcnn.train;

import io.sparkcnn.eval.EvaluationReport;

/**
 * What a training run produced.
 *
 * @param outputDir    qualified directory holding the model and its evaluation
 * @param evaluation   test-set evaluation of the final model
 * @param training     speed of the training phase (all epochs)
 * @param epochScores  training loss DL4J reported at the end of each epoch (last averaging round)
 * @param workers      number of parameter-averaging workers
 * @param master       the Spark master the job ran on
 */
public record TrainResult(String outputDir, EvaluationReport evaluation, Throughput training, double[] epochScores,
                          int workers, String master) {
}
