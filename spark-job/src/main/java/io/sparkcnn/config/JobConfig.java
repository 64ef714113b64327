package io.sparkcnn.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole job configuration, immutable, as loaded and validated by {@link ConfigLoader}.
 * Every field has been checked: a {@code JobConfig} that exists is a runnable one.
 *
 * @param data    where the images come from
 * @param model   which network to build
 * @param train   how to train it with parameter averaging
 * @param augment augmentation of the training images on the executors
 * @param checkpoint checkpoints after every epoch and resuming from them
 * @param output  where the model and its evaluation go
 * @param spark   session settings that are not Spark's own {@code spark.*} keys
 * @param natives native-library settings (threads, BLAS core, layer helpers)
 * @param preflight the pre-flight check of the executors at job start
 * @param progress how training progress is shown on the driver's console
 * @param history  the per-epoch training history written beside the model
 * @param report  the run report (notebook and HTML page) made at the end of training
 */
public record JobConfig(DataConfig data, ModelConfig model, TrainConfig train, AugmentConfig augment,
                        CheckpointConfig checkpoint, OutputConfig output, SparkConfig spark, NativeConfig natives,
                        PreflightConfig preflight, ProgressConfig progress, HistoryConfig history,
                        ReportConfig report) {
    public JobConfig {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(augment, "augment");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(natives, "natives");
        Objects.requireNonNull(preflight, "preflight");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(report, "report");
    }

    /**
     * What decides the training a checkpoint holds, and so what a resumed run must share with the killed one:
     * the data, the network, the training and augmentation settings and where within an epoch checkpoints are
     * taken. Output, lock, retention, session, native and pre-flight settings may differ (a resumed run
     * typically drops {@code --overwrite}).
     */
    public Map<String, Object> trainingIdentity() {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("data", data);
        identity.put("model", model);
        identity.put("train", train);
        identity.put("augment", augment);
        identity.put("checkpointEveryRounds", checkpoint.everyRounds());
        return identity;
    }
}
