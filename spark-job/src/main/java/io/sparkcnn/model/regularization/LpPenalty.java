package io.sparkcnn.model.regularization;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Smoothed Lp penalty with {@code 0 < p < 1} (non-convex, pushes small coefficients to zero harder than lasso)
 * on one parameter array {@code β}:
 * <pre>
 *   score(β)    = λ Σ_i (β_i² + ε)^{p/2}
 *   ∂score/∂β_i = λ p β_i (β_i² + ε)^{p/2 − 1}
 * </pre>
 * The smoothing constant {@code ε > 0} makes the penalty differentiable at 0; as {@code ε → 0} it tends to
 * {@code λ Σ |β_i|^p}. It shifts the score: at {@code β = 0} each element contributes {@code λ ε^{p/2}}, not 0
 * ({@code 0.01 λ} for {@link #DEFAULT_EPSILON} and {@code p = 1/2}), a constant with no effect on the gradient.
 * A smaller {@code ε} makes the gradient steeper near 0: its largest magnitude is of order
 * {@code λ p ε^{(p−1)/2}}.
 *
 * <p>Invariants: {@code λ} finite and {@code > 0}; {@code 0 < p < 1}; {@code ε} finite and {@code > 0}. Applied
 * {@link ApplyStep#BEFORE_UPDATER before the updater}.
 */
public final class LpPenalty implements Regularization {
    private static final long serialVersionUID = 1L;

    /** The smoothing constant suggested to callers: {@code ε = 1e-8}. */
    public static final double DEFAULT_EPSILON = 1e-8;

    @JsonProperty("lambda")
    private final double lambda;
    @JsonProperty("p")
    private final double p;
    @JsonProperty("epsilon")
    private final double epsilon;

    /**
     * @param lambda  strength {@code λ}, finite and {@code > 0}
     * @param p       exponent, {@code 0 < p < 1}
     * @param epsilon smoothing constant {@code ε}, finite and {@code > 0}; {@link #DEFAULT_EPSILON} is suggested
     */
    @JsonCreator
    public LpPenalty(@JsonProperty("lambda") double lambda, @JsonProperty("p") double p,
                     @JsonProperty("epsilon") double epsilon) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
        }
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must satisfy 0 < p < 1, got " + p);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
        }
        this.lambda = lambda;
        this.p = p;
        this.epsilon = epsilon;
    }

    public double getLambda() {
        return lambda;
    }

    public double getP() {
        return p;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /** Adds {@code λ p β (β² + ε)^{p/2 − 1}} to {@code gradView} in place; the other arguments are unused. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        INDArray smoothed = param.mul(param).addi(epsilon);
        gradView.addi(Transforms.pow(smoothed, p / 2 - 1, false).muli(param).muli(lambda * p));
    }

    /** @return {@code λ Σ (β² + ε)^{p/2}} */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        INDArray smoothed = param.mul(param).addi(epsilon);
        return lambda * Transforms.pow(smoothed, p / 2, false).sumNumber().doubleValue();
    }

    @Override
    public LpPenalty clone() {
        return new LpPenalty(lambda, p, epsilon);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LpPenalty l && Double.compare(lambda, l.lambda) == 0 && Double.compare(p, l.p) == 0
                && Double.compare(epsilon, l.epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lambda, p, epsilon);
    }

    @Override
    public String toString() {
        return "LpPenalty(lambda=" + lambda + ", p=" + p + ", epsilon=" + epsilon + ")";
    }
}
