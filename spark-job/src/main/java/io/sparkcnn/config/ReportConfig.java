package io.sparkcnn.config;

/**
 * The run report made at the end of training ({@code io.sparkcnn.report.RunReport}).
 *
 * @param enabled     make {@code report.ipynb} and {@code report.html} and store them beside the model
 * @param worstImages how many of the most confidently misclassified held-out images to show, at least 1
 */
public record ReportConfig(boolean enabled, int worstImages) {
}
