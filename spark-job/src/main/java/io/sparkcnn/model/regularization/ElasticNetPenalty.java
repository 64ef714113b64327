package io.sparkcnn.model.regularization;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Elastic-net penalty on one parameter array {@code β}, the sum of a lasso and a ridge term:
 * <pre>
 *   score(β)    = λ1 Σ_i |β_i| + λ2 Σ_i β_i²
 *   ∂score/∂β_i = λ1 sign(β_i) + 2 λ2 β_i,   sign(0) = 0
 * </pre>
 * Invariant: {@code λ1} and {@code λ2} are finite and {@code > 0}. Applied
 * {@link ApplyStep#BEFORE_UPDATER before the updater}.
 */
public final class ElasticNetPenalty implements Regularization {
    private static final long serialVersionUID = 1L;

    @JsonProperty("l1")
    private final double l1;
    @JsonProperty("l2")
    private final double l2;

    /**
     * @param l1 strength {@code λ1} of the L1 term, finite and {@code > 0}
     * @param l2 strength {@code λ2} of the L2 term, finite and {@code > 0}
     */
    @JsonCreator
    public ElasticNetPenalty(@JsonProperty("l1") double l1, @JsonProperty("l2") double l2) {
        if (!(l1 > 0) || Double.isInfinite(l1)) {
            throw new IllegalArgumentException("l1 must be finite and > 0, got " + l1);
        }
        if (!(l2 > 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and > 0, got " + l2);
        }
        this.l1 = l1;
        this.l2 = l2;
    }

    public double getL1() {
        return l1;
    }

    public double getL2() {
        return l2;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /** Adds {@code λ1 sign(β) + 2 λ2 β} to {@code gradView} in place; the other arguments are unused. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        gradView.addi(Transforms.sign(param, true).muli(l1).addi(param.mul(2 * l2)));
    }

    /** @return {@code λ1 Σ |β| + λ2 Σ β²} */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return l1 * param.norm1Number().doubleValue() + l2 * param.mul(param).sumNumber().doubleValue();
    }

    @Override
    public ElasticNetPenalty clone() {
        return new ElasticNetPenalty(l1, l2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElasticNetPenalty e && Double.compare(l1, e.l1) == 0 && Double.compare(l2, e.l2) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(l1, l2);
    }

    @Override
    public String toString() {
        return "ElasticNetPenalty(l1=" + l1 + ", l2=" + l2 + ")";
    }
}
