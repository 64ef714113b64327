package io.sparkcnn.config;

/**
 * The pre-flight check at job start: one small task per executor reports its native backend, oneDNN helper,
 * BLAS and OpenMP settings, off-heap limits and versions, and a fatal mismatch stops the job before the
 * first epoch (exit code 6).
 *
 * @param enabled run the check (it costs one short Spark job)
 */
public record PreflightConfig(boolean enabled) {
}
