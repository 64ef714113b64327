package io.sparkcnn.config;

/**
 * Where results go.
 *
 * @param path            output directory (Hadoop path). Plain layout: it holds {@code model.zip},
 *                        {@code evaluation.json} and {@code run.json}. Registry layout: a versioned registry
 *                        ({@code versions/<id>/...}, {@code LATEST}), see {@code io.sparkcnn.store.ModelRegistry}
 * @param overwrite       plain layout: replace an existing output directory; otherwise an existing one is an error
 * @param registry        publish each run as a new immutable version of a registry at {@code path}
 * @param lockWaitSeconds registry: how long to wait for another run's lock before failing (0 = fail at once)
 * @param keepVersions    registry: keep only the newest N versions after publishing (0 = keep all)
 */
public record OutputConfig(String path, boolean overwrite, boolean registry, int lockWaitSeconds, int keepVersions) {
}
