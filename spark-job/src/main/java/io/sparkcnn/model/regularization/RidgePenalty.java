package io.sparkcnn.model.regularization;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Ridge (L2) penalty on one parameter array {@code β}:
 * <pre>
 *   score(β)    = λ Σ_i β_i²
 *   ∂score/∂β_i = 2 λ β_i
 * </pre>
 * Unlike DL4J's {@code L2Regularization} (score {@code λ/2 Σ β²}) the factor ½ is absent: λ is the lecture's λ.
 * Invariant: {@code λ} is finite and {@code > 0}. Applied {@link ApplyStep#BEFORE_UPDATER before the updater}.
 */
public final class RidgePenalty implements Regularization {
    private static final long serialVersionUID = 1L;

    @JsonProperty("lambda")
    private final double lambda;

    /** @param lambda strength {@code λ}, finite and {@code > 0} */
    @JsonCreator
    public RidgePenalty(@JsonProperty("lambda") double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
        }
        this.lambda = lambda;
    }

    public double getLambda() {
        return lambda;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /** Adds {@code 2 λ β} to {@code gradView} in place; {@code lr}, {@code iteration}, {@code epoch} are unused. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        gradView.addi(param.mul(2 * lambda));
    }

    /** @return {@code λ Σ β²} */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return lambda * param.mul(param).sumNumber().doubleValue();
    }

    @Override
    public RidgePenalty clone() {
        return new RidgePenalty(lambda);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RidgePenalty r && Double.compare(lambda, r.lambda) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(lambda);
    }

    @Override
    public String toString() {
        return "RidgePenalty(lambda=" + lambda + ")";
    }
}
