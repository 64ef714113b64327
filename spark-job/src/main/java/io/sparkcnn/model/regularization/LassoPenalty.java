package io.sparkcnn.model.regularization;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Lasso (L1) penalty on one parameter array {@code β}:
 * <pre>
 *   score(β)    = λ Σ_i |β_i|
 *   ∂score/∂β_i = λ sign(β_i),   sign(0) = 0 (the subgradient of |β| at 0 closest to zero)
 * </pre>
 * Invariant: {@code λ} is finite and {@code > 0}. Applied {@link ApplyStep#BEFORE_UPDATER before the updater}.
 */
public final class LassoPenalty implements Regularization {
    private static final long serialVersionUID = 1L;

    @JsonProperty("lambda")
    private final double lambda;

    /** @param lambda strength {@code λ}, finite and {@code > 0} */
    @JsonCreator
    public LassoPenalty(@JsonProperty("lambda") double lambda) {
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

    /** Adds {@code λ sign(β)} to {@code gradView} in place; {@code lr}, {@code iteration}, {@code epoch} are unused. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        gradView.addi(Transforms.sign(param, true).muli(lambda));
    }

    /** @return {@code λ Σ |β|} */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return lambda * param.norm1Number().doubleValue();
    }

    @Override
    public LassoPenalty clone() {
        return new LassoPenalty(lambda);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LassoPenalty l && Double.compare(lambda, l.lambda) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(lambda);
    }

    @Override
    public String toString() {
        return "LassoPenalty(lambda=" + lambda + ")";
    }
}
