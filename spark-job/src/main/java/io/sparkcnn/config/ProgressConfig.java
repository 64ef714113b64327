package io.sparkcnn.config;

import java.util.List;

/**
 * Progress of training on the driver's console and in the Spark UI.
 *
 * @param mode               {@code auto} (a live bar when the JVM has a console, plain log lines otherwise),
 *                           {@code bar}, {@code lines} or {@code off}; the Spark UI's job descriptions are set in
 *                           every mode
 * @param logIntervalSeconds least seconds between two plain lines within an epoch (&gt;= 0; every epoch's end
 *                           gets a line too)
 */
public record ProgressConfig(String mode, int logIntervalSeconds) {
    /** The values {@code progress.mode} accepts. */
    public static final List<String> MODES = List.of("auto", "bar", "lines", "off");
}
