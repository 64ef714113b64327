/**
 * The job configuration as immutable records ({@link io.sparkcnn.config.JobConfig} and its parts), loaded from
 * HOCON with command-line overrides and validated, every error at once, by {@link
 * io.sparkcnn.config.ConfigLoader}.
 */
package io.sparkcnn.config;
