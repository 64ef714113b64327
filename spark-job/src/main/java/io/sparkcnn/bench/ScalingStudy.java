package io.sparkcnn.bench;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.config.OuterConfig;
import io.sparkcnn.config.ScalingConfig;
import io.sparkcnn.config.TrainConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.DataSources;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.train.SparkTrainer;
import io.sparkcnn.train.Throughput;
import io.sparkcnn.train.ThroughputMeter;
import io.sparkcnn.train.WorkerScaling;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How accuracy scales with the number of workers: for every variant of the configuration and every worker count
 * {@code W}, trains the network from the same initial parameters for the configured epochs with {@code W} workers
 * and measures the test accuracy after every epoch.
 *
 * <p>The workers are {@code W} partitions on whatever master the session has ({@code train.workers = W}): a
 * worker's minibatches, its dropout masks and the averaging (summed in partition order) do not depend on how many
 * tasks run at once, so the accuracy is that of a cluster of {@code W} executors, bit for bit, while the time is
 * that of this master's cores. For the same reason a variant whose settings at some W are those of an earlier
 * variant at that W (say, adapting to W at one or two workers, where nothing adapts) is not trained again: the
 * earlier run's results are copied, marked {@code sameAs}.</p>
 *
 * <p>Gradient sharing ({@code train.approach = gradient-sharing}) is asynchronous: its result depends on timing and
 * on how many workers really run at once, so its runs are never copied, and a faithful study of W such workers runs
 * on {@code local[W]} or W executors.</p>
 */
public final class ScalingStudy {
    private static final Logger LOG = LoggerFactory.getLogger(ScalingStudy.class);

    /** A named variant: the job configuration it trains and the settings it overrides. */
    public record Variant(String name, Map<String, String> overrides, JobConfig config) {
    }

    private ScalingStudy() {
    }

    /**
     * Runs the study. The data, preset, batch size and epochs are those of the first variant.
     *
     * @param afterRun gets the result so far after every run, so a long study can be saved as it goes
     */
    public static ScalingResult run(JavaSparkContext sc, List<Variant> variants, List<Integer> workerCounts,
                                    List<Double> targets, Consumer<ScalingResult> afterRun) {
        JobConfig first = variants.get(0).config();
        NativeSetup.applyToThisJvm(first.natives());
        DatasetLoader.TrainTest data = DataSources.load(SparkSession.active(), first.data());
        LabeledImages train = data.train();
        LabeledImages test = data.test();
        ScalingResult result = new ScalingResult(first.model().preset(), train.count(), test.count(),
                first.train().batchSizePerWorker(), first.train().averagingFrequency(), sc.master(), List.copyOf(targets),
                List.of());
        Map<List<Object>, Map.Entry<String, ScalingResult.Run>> trained = new HashMap<>();
        for (Variant variant : variants) {
            for (int workers : workerCounts) {
                List<Object> settings = settings(variant.config(), workers);
                Map.Entry<String, ScalingResult.Run> same = trained.get(settings);
                ScalingResult.Run run;
                if (same != null) {
                    ScalingResult.Run r = same.getValue();
                    run = new ScalingResult.Run(r.workers(), r.averagingFrequency(), r.roundsPerEpoch(),
                            r.imagesPerWorkerPerRound(), r.outer(), r.epochs(), r.reached(), same.getKey());
                    LOG.info("Scaling study {}: {} workers train as {} does at {} workers; not trained again",
                            variant.name(), workers, same.getKey(), workers);
                } else {
                    run = train(sc, variant, workers, train, test, targets);
                    if (!variant.config().train().gradientSharing()) {
                        trained.put(settings, Map.entry(variant.name(), run));
                    }
                }
                result = result.with(variant.name(), variant.overrides(), run);
                afterRun.accept(result);
            }
        }
        return result;
    }

    /**
     * Everything that decides what a run at {@code workers} workers trains: the training settings adapted to W
     * (without the adaptation rule itself), the model, the augmentation and the data.
     */
    private static List<Object> settings(JobConfig cfg, int workers) {
        TrainConfig t = WorkerScaling.resolve(cfg.train().withWorkers(workers), workers);
        return List.of(new TrainConfig(t.epochs(), t.batchSizePerWorker(), t.averagingFrequency(), t.workers(), t.seed(),
                t.prefetchBatches(), t.shuffleEachEpoch(), t.averageLastEpochs(), t.outer(), t.approach(), t.sharing(),
                ScalingConfig.OFF), cfg.model(), cfg.augment(), cfg.data());
    }

    private static ScalingResult.Run train(JavaSparkContext sc, Variant variant, int workers, LabeledImages train,
                                           LabeledImages test, List<Double> targets) {
        JobConfig cfg = variant.config();
        TrainConfig tc = cfg.train().withWorkers(workers);
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.build(cfg.model().network(), tc.seed(),
                train.rows(), train.cols()));
        net.init();
        List<ScalingResult.Epoch> epochs = new ArrayList<>();
        try (SparkTrainer trainer = new SparkTrainer(sc, net, tc, cfg.augment(), cfg.natives())) {
            tc = trainer.settings();
            for (int e = 0; e < tc.epochs(); e++) {
                ThroughputMeter meter = new ThroughputMeter(sc.sc());
                meter.start();
                long images = trainer.fitEpoch(train, e);
                Throughput t = meter.stop(images);
                List<Double> losses = trainer.epochRoundLosses();
                double accuracy = trainer.evaluate(test, String.format(Locale.ROOT, "%s, %d workers, epoch %d",
                        variant.name(), workers, e + 1)).accuracy();
                epochs.add(new ScalingResult.Epoch(e + 1, accuracy,
                        losses.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), losses.size(),
                        images, t.wallSeconds()));
                LOG.info("Scaling study {}: {} workers, epoch {}/{}: test accuracy {}, {} rounds, {} s", variant.name(),
                        workers, e + 1, tc.epochs(), String.format(Locale.ROOT, "%.4f", accuracy), losses.size(),
                        String.format(Locale.ROOT, "%.1f", t.wallSeconds()));
            }
        }
        return new ScalingResult.Run(workers, tc.averagingFrequency(), epochs.isEmpty() ? 0 : epochs.get(0).rounds(),
                tc.batchSizePerWorker() * tc.averagingFrequency(), describe(tc), List.copyOf(epochs),
                ScalingResult.reached(epochs, targets), null);
    }

    /**
     * The driver's step in a few words: {@code none}, e.g. {@code nesterov lr 0.7 mom 0.9}, or
     * {@code gradient sharing} (which has no averaging rounds).
     */
    static String describe(TrainConfig train) {
        if (train.gradientSharing()) {
            return "gradient sharing";
        }
        OuterConfig outer = train.outer();
        return outer.plain() ? "none" : String.format(Locale.ROOT, "%s lr %s mom %s", outer.method(),
                trim(outer.lr()), trim(outer.momentum()));
    }

    /** At most four significant digits, no trailing zeros: 1, 0.7, 0.9375, 0.3333. */
    private static String trim(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
