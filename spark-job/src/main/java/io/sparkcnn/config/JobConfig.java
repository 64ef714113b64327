package io.sparkcnn.config;

import java.util.Objects;

/**
 * The whole job configuration, immutable, as loaded and validated by {@link ConfigLoader}.
 * Every field has been checked: a {@code JobConfig} that exists is a runnable one.
 *
 * @param data    where the images come from
 * @param model   which network to build
 * @param train   how to train it with parameter averaging
 * @param augment augmentation of the training images on the executors
 * @param output  where the model and its evaluation go
 * @param spark   session settings that are not Spark's own {@code spark.*} keys
 * @param natives native-library settings (threads, BLAS core, layer helpers)
 */
public record JobConfig(DataConfig data, ModelConfig model, TrainConfig train, AugmentConfig augment,
                        OutputConfig output, SparkConfig spark, NativeConfig natives) {
    public JobConfig {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(augment, "augment");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(natives, "natives");
    }
}
