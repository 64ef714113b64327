package io.sparkcnn;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.NetworkConfig;
import io.sparkcnn.model.NetworkFactory;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

import java.util.ArrayList;
import java.util.List;

/** The bundled networks and inline ones, loaded the way a job loads them (through {@link ConfigLoader}). */
public final class Networks {
    private Networks() {
    }

    /** A bundled network ({@code seed-fc}, {@code seed-cnn}), with optional {@code model.network.*} overrides. */
    public static NetworkConfig preset(String name, String... overrides) {
        List<String> all = new ArrayList<>(List.of("model.preset=" + name));
        for (String o : overrides) {
            all.add("model.network." + o);
        }
        return ConfigLoader.load(null, all).model().network();
    }

    /** The DL4J configuration of a bundled network for 28x28 images. */
    public static MultiLayerConfiguration build(String preset, long seed) {
        return NetworkFactory.build(preset(preset), seed, 28, 28);
    }
}
