package io.sparkcnn.config;

import java.util.Objects;

/**
 * The network to train and where it starts from.
 *
 * @param name     the run's name for logs and the default output path; defaults to the preset's name
 * @param preset   a bundled network ({@code seed-fc}, {@code seed-cnn}, {@code seed-cnn-same}, {@code lecture-best}: the files {@code conf/networks/*.conf})
 *                 or the path of a network file of the same form; {@code network} patches or replaces it
 * @param network  the network actually built: the preset, patched by {@code model.network} keys, or
 *                 {@code model.network} alone when that lists its own layers
 * @param transfer transfer learning from a saved model, or {@link TransferConfig#NONE}
 * @param warmStart with {@code output.registry}: start from the whole network of the registry's {@code LATEST}
 *                  version (all layers, with its updater state) instead of random weights, for scheduled
 *                  retraining on current data; from random weights while the registry is empty
 */
public record ModelConfig(String name, String preset, NetworkConfig network, TransferConfig transfer,
                          boolean warmStart) {
    public ModelConfig {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(transfer, "transfer");
    }
}
