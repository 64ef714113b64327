package io.sparkcnn.config;

import java.util.Objects;

/**
 * The network to train and where it starts from.
 *
 * @param name     the run's name for logs and the default output path; defaults to the preset's name
 * @param preset   a bundled network ({@code seed-fc}, {@code seed-cnn}: the files {@code conf/networks/*.conf})
 *                 or the path of a network file of the same form; {@code network} patches or replaces it
 * @param network  the network actually built: the preset, patched by {@code model.network} keys, or
 *                 {@code model.network} alone when that lists its own layers
 * @param transfer transfer learning from a saved model, or {@link TransferConfig#NONE}
 */
public record ModelConfig(String name, String preset, NetworkConfig network, TransferConfig transfer) {
    public ModelConfig {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(transfer, "transfer");
    }
}
