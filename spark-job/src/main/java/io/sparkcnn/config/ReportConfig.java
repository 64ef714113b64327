package io.sparkcnn.config;

import java.util.List;

/**
 * The run report made at the end of training ({@code io.sparkcnn.report.RunReport}).
 *
 * @param enabled     make {@code report.ipynb} and {@code report.html} and store them beside the model
 * @param worstImages how many of the most confidently misclassified held-out images to show, at least 1
 * @param compareWith other runs of the same task to show beside this one (e.g. the lecture's), in this order
 */
public record ReportConfig(boolean enabled, int worstImages, List<ReferenceRun> compareWith) {
    public ReportConfig {
        compareWith = List.copyOf(compareWith);
    }

    /**
     * A run made elsewhere, quoted for comparison.
     *
     * @param name     who ran it and how, e.g. "the lecture (tf.keras, Adadelta lr 0.001)"
     * @param accuracy its test accuracy, in [0, 1]
     * @param epochs   its epochs, at least 1
     * @param note     where the figure comes from (may be empty)
     */
    public record ReferenceRun(String name, double accuracy, int epochs, String note) {
    }
}
