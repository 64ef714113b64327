/**
 * Spark ML: {@link io.sparkcnn.ml.CnnClassifier}, an {@code Estimator} that trains with the job's parameter
 * averaging, and {@link io.sparkcnn.ml.CnnClassificationModel}, the {@code Model} it fits, with Spark ML's
 * prediction columns and persistence, for {@code Pipeline}s, notebooks and {@code spark-shell}.
 */
package io.sparkcnn.ml;
