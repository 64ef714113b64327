package io.sparkcnn.model.regularization;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lecture's penalty that grows with the coefficient's index (in a polynomial fit the coefficient of a higher
 * power is penalized more), on one parameter array {@code β} of length {@code n}:
 * <pre>
 *   score(β)    = λ Σ_{i=0}^{n-1} (i+1)^k β_i²
 *   ∂score/∂β_i = 2 λ (i+1)^k β_i
 * </pre>
 * {@code i} is the 0-based position of the element in the array's linear order, taken in the array's own
 * {@link INDArray#ordering() ordering}. For a DL4J layer this is the position in the layer's flattened parameter
 * vector: the weight matrix of a dense layer {@code [nIn, nOut]} in column-major ('f') order, the kernel of a
 * convolution layer {@code [nOut, nIn, kH, kW]} in row-major ('c') order. With {@code k = 0} it is
 * {@link RidgePenalty ridge}.
 *
 * <p>Invariants: {@code λ} finite and {@code > 0}; {@code k} finite and {@code >= 0}. The weight vector
 * {@code (i+1)^k} is built with ND4J once per array length and data type and cached detached from any workspace; the
 * cache is thread-safe, never modified after creation and neither serialized nor compared. Applied
 * {@link ApplyStep#BEFORE_UPDATER before the updater}.
 */
public final class IndexPowerPenalty implements Regularization {
    private static final long serialVersionUID = 1L;

    @JsonProperty("lambda")
    private final double lambda;
    @JsonProperty("k")
    private final double k;
    private final transient Map<WeightsKey, INDArray> weights = new ConcurrentHashMap<>();

    private record WeightsKey(long length, DataType type) {
    }

    /**
     * @param lambda strength {@code λ}, finite and {@code > 0}
     * @param k      exponent of the index weight {@code (i+1)^k}, finite and {@code >= 0}
     */
    @JsonCreator
    public IndexPowerPenalty(@JsonProperty("lambda") double lambda, @JsonProperty("k") double k) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
        }
        if (!(k >= 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k must be finite and >= 0, got " + k);
        }
        this.lambda = lambda;
        this.k = k;
    }

    public double getLambda() {
        return lambda;
    }

    public double getK() {
        return k;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /** Adds {@code 2 λ (i+1)^k β_i} to {@code gradView} in place; the other arguments are unused. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        gradView.addi(indexWeights(param).mul(param).muli(2 * lambda));
    }

    /** @return {@code λ Σ (i+1)^k β_i²} */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return lambda * indexWeights(param).mul(param).muli(param).sumNumber().doubleValue();
    }

    /** The weights {@code (i+1)^k} shaped like {@code param}, laid out in its ordering; read-only. */
    private INDArray indexWeights(INDArray param) {
        INDArray flat = weights.computeIfAbsent(new WeightsKey(param.length(), param.dataType()), key -> {
            INDArray index = Nd4j.linspace(1, key.length(), key.length(), DataType.DOUBLE);
            return Transforms.pow(index, k, false).castTo(key.type()).detach();
        });
        return flat.reshape(param.ordering(), param.shape());
    }

    private Object readResolve() {
        return new IndexPowerPenalty(lambda, k);
    }

    @Override
    public IndexPowerPenalty clone() {
        return new IndexPowerPenalty(lambda, k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexPowerPenalty p && Double.compare(lambda, p.lambda) == 0
                && Double.compare(k, p.k) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lambda, k);
    }

    @Override
    public String toString() {
        return "IndexPowerPenalty(lambda=" + lambda + ", k=" + k + ")";
    }
}
