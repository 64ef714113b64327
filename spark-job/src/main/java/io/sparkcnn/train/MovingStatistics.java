package io.sparkcnn.train;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a network that are statistics rather than trained weights: batch normalization's moving means
 * and variances. After an averaging round they take the workers' plain average even when an outer optimizer
 * ({@link OuterOptimizer}) extrapolates the trained weights with momentum: momentum on a running mean of the data
 * would overshoot it. Positions are those of the flattened parameter vector ({@link MultiLayerNetwork#params()}).
 */
final class MovingStatistics {
    private static final Set<String> KEYS = Set.of(BatchNormalizationParamInitializer.GLOBAL_MEAN,
            BatchNormalizationParamInitializer.GLOBAL_VAR, BatchNormalizationParamInitializer.GLOBAL_LOG_STD);

    /** {start, end} ranges of the flattened parameters; empty for a network without batch normalization. */
    private final List<long[]> ranges;

    MovingStatistics(MultiLayerNetwork net) {
        ranges = new ArrayList<>();
        INDArray flat = net.params();
        for (Layer layer : net.getLayers()) {
            if (!(layer instanceof BatchNormalization)) {
                continue;
            }
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                if (KEYS.contains(p.getKey())) {
                    long start = p.getValue().offset() - flat.offset();
                    ranges.add(new long[]{start, start + p.getValue().length()});
                }
            }
        }
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Copies the statistics of {@code average} into {@code next} (both flattened parameter vectors). */
    void takeAverage(INDArray average, INDArray next) {
        if (next == average) {
            return;
        }
        INDArray from = average.reshape(average.length());
        INDArray to = next.reshape(next.length());
        for (long[] r : ranges) {
            to.get(NDArrayIndex.interval(r[0], r[1])).assign(from.get(NDArrayIndex.interval(r[0], r[1])));
        }
    }
}
