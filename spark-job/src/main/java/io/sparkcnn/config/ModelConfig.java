package io.sparkcnn.config;

/**
 * The network to train.
 *
 * @param preset one of {@link io.sparkcnn.model.ModelPresets#NAMES}: {@code seed-fc}, {@code seed-cnn}
 */
public record ModelConfig(String preset) {
}
