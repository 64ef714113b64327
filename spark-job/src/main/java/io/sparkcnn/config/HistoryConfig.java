package io.sparkcnn.config;

/**
 * The training history written beside the model ({@code history.json}, {@code history.csv}): per epoch the
 * training loss, wall time and throughput, and, when enabled, the accuracies measured after the epoch on the
 * executors.
 *
 * @param enabled     evaluate after every epoch (training accuracy on a sample, validation accuracy on the whole
 *                    held-out set); without it the history has the losses and throughput only
 * @param trainSample training images in the fixed random sample the training accuracy is measured on (&gt;= 0;
 *                    0 = not measured; more than the training set = all of it)
 */
public record HistoryConfig(boolean enabled, int trainSample) {
}
