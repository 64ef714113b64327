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
 * @param promote         registry: {@code always} move {@code LATEST} to the new version, or {@code if-no-worse}:
 *                        only when its accuracy and every class's F1 are no worse than the current
 *                        {@code LATEST}'s within {@code promotionTolerance}
 * @param promotionTolerance how much worse (absolute, 0.002 = 0.2 points) a figure may be and still pass
 */
public record OutputConfig(String path, boolean overwrite, boolean registry, int lockWaitSeconds, int keepVersions,
                           String promote, double promotionTolerance) {
    /** The promotion rules. */
    public static final java.util.List<String> PROMOTE_RULES = java.util.List.of("always", "if-no-worse");
}
