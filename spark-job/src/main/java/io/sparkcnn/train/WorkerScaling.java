package io.sparkcnn.train;

import io.sparkcnn.config.OuterConfig;
import io.sparkcnn.config.ScalingConfig;
import io.sparkcnn.config.TrainConfig;

/**
 * The training settings for the number of workers a run really has ({@link ScalingConfig}). Above the reference
 * worker count R (2 by default) and with adaptation on:
 * <ul>
 *   <li>the averaging frequency becomes {@code max(1, round(F R / W))}, so an epoch keeps about the averaging
 *       rounds it has at R workers;</li>
 *   <li>an outer method of {@code auto} becomes Nesterov momentum with lr 1 and momentum {@code 1 - R / W}, whose
 *       steady-state step is {@code W / R} times the round's average move: it gives back the distance the weights
 *       lose when each of W workers takes R/W times the steps of each of R workers.</li>
 * </ul>
 * At or below R, or with adaptation off, the frequency is kept and {@code auto} is plain averaging. An explicitly
 * named outer method is always used as configured. Measured in docs/scaling.md ({@code bench --scale}).
 */
public final class WorkerScaling {
    private WorkerScaling() {
    }

    /** {@code cfg} as it trains on {@code workers} workers: the outer method is never {@code auto} afterwards. */
    public static TrainConfig resolve(TrainConfig cfg, int workers) {
        ScalingConfig s = cfg.scaling();
        boolean adapt = s.adapt() && workers > s.referenceWorkers() && !cfg.gradientSharing();
        int frequency = adapt ? Math.max(1, (int) Math.round((double) cfg.averagingFrequency() * s.referenceWorkers()
                / workers)) : cfg.averagingFrequency();
        OuterConfig outer = cfg.outer();
        if (outer.method().equals(OuterConfig.AUTO)) {
            outer = adapt ? new OuterConfig("nesterov", 1.0, 1.0 - (double) s.referenceWorkers() / workers)
                    : OuterConfig.none();
        }
        return new TrainConfig(cfg.epochs(), cfg.batchSizePerWorker(), frequency, workers, cfg.seed(),
                cfg.prefetchBatches(), cfg.shuffleEachEpoch(), cfg.averageLastEpochs(), outer, cfg.approach(),
                cfg.sharing(), s);
    }
}
