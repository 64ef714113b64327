package io.sparkcnn.config;

import com.typesafe.config.ConfigFactory;
import io.sparkcnn.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** conf/REFERENCE.md documents every key the loader accepts. */
@Tag("unit")
class ReferenceDocTest {
    @Test
    void everyKeyIsDocumented() throws IOException {
        String doc = Files.readString(TestData.projectRoot().resolve("conf/REFERENCE.md"));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, ?> e : ConfigFactory.parseResources("reference.conf").getConfig(ConfigLoader.ROOT).entrySet()) {
            expect(doc, e.getKey(), missing);
        }
        expect(doc, "model.network", missing);
        NetworkConfigParser.NETWORK_KEYS.forEach(k -> expect(doc, k.equals("updater") ? "updater.type" : k, missing));
        NetworkConfigParser.UPDATER_KEYS.forEach(k -> expect(doc, "updater." + k, missing));
        NetworkConfigParser.PENALTY_KEYS.forEach(k -> expect(doc, k, missing));
        NetworkConfigParser.LAYER_KEYS.forEach((type, keys) -> {
            expect(doc, type, missing);
            keys.forEach(k -> expect(doc, k, missing));
        });
        PenaltyConfig.TYPES.forEach(t -> expect(doc, t, missing));
        PaddingConfig.KINDS.forEach(k -> expect(doc, k, missing));
        UpdaterConfig.TYPES.forEach(t -> expect(doc, t, missing));
        NetworkConfigParser.ACTIVATIONS.forEach(a -> expect(doc, a, missing));
        NetworkConfigParser.LOSSES.forEach(l -> expect(doc, l, missing));
        ConfigLoader.BUNDLED_NETWORKS.forEach(n -> expect(doc, n, missing));
        assertEquals(List.of(), missing, "keys or values missing from conf/REFERENCE.md");
    }

    private static void expect(String doc, String key, List<String> missing) {
        if (!doc.contains("`" + key + "`") && !doc.contains("`" + key + " ") && !doc.contains("`" + key + ",")) {
            missing.add(key);
        }
    }
}
