package io.sparkcnn.config;

import java.util.List;
import java.util.Objects;

/**
 * A network as the job configuration describes it: the updater, the initial weights, the network-wide
 * regularizer and an ordered list of layers from input to output. The input layer is implied by the data:
 * a network whose first layer is a convolution or pooling layer takes {@code rows x cols x 1} images, any
 * other takes flat rows of {@code rows * cols} pixels in [0, 1]. The file form's network-wide
 * {@code padding-kind} is resolved into each convolution's {@link PaddingConfig} when parsed.
 *
 * @param updater        optimizer and its parameters (Keras's default, Adam with learning rate 0.001, if unnamed)
 * @param weightInit     DL4J weight initialization, lower case with dashes (e.g. {@code xavier-uniform}, Keras's
 *                       {@code glorot_uniform})
 * @param regularization penalty on the weights of every layer that has no {@code regularization} of its own;
 *                       never on biases
 * @param layers         at least one layer; the last is the output layer and only the last is
 */
public record NetworkConfig(UpdaterConfig updater, String weightInit, PenaltyConfig regularization,
                            List<LayerConfig> layers) {
    public NetworkConfig {
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(regularization, "regularization");
        layers = List.copyOf(layers);
    }

    /** True when the network takes images (its first layer convolves or pools) rather than flat rows. */
    public boolean takesImages() {
        return !layers.isEmpty() && layers.get(0).isSpatial();
    }

    /** The same network with the layers replaced (e.g. a new head for transfer learning). */
    public NetworkConfig withLayers(List<LayerConfig> newLayers) {
        return new NetworkConfig(updater, weightInit, regularization, newLayers);
    }
}
