package io.sparkcnn.store;

import io.sparkcnn.Networks;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Save and load through {@code file://}; the hdfs tier runs the same checks on a MiniDFSCluster. */
@Tag("unit")
class ModelStoreTest {
    @TempDir
    Path dir;

    /** A seed-fc network after one Adam step, so that its updater state is not trivial. */
    static MultiLayerNetwork trainedNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 7));
        net.init();
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        net.fit(new DataSet(x, y));
        return net;
    }

    static void assertRoundTrip(ModelStore store, String location) {
        MultiLayerNetwork net = trainedNet();
        INDArray probe = Nd4j.rand(DataType.FLOAT, 8, 784);
        store.save(location, false, net, probe, Map.of("note.txt", "hi".getBytes(StandardCharsets.UTF_8)));
        MultiLayerNetwork loaded = store.load(location);
        assertEquals(net.params(), loaded.params());
        assertEquals(net.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray(), "updater state saved");
        assertEquals(net.output(probe, false), loaded.output(probe, false));
        OutputException again = assertThrows(OutputException.class, () -> store.save(location, false, net, probe, Map.of()));
        assertTrue(again.getMessage().contains("exists already"), again.getMessage());
    }

    @Test
    void roundTripThroughTheLocalFilesystem() {
        assertRoundTrip(new ModelStore(new Configuration()), "file://" + dir.resolve("m"));
        assertTrue(Files.exists(dir.resolve("m/note.txt")));
        assertTrue(Files.exists(dir.resolve("m/" + ModelStore.MODEL_FILE)));
    }

    @Test
    void overwriteReplacesTheWholeDirectory() throws IOException {
        ModelStore store = new ModelStore(new Configuration());
        Path target = Files.createDirectories(dir.resolve("m"));
        Files.writeString(target.resolve("stale.txt"), "old run");
        store.save(target.toString(), true, trainedNet(), null, Map.of());
        assertFalse(Files.exists(target.resolve("stale.txt")));
        assertTrue(Files.exists(target.resolve(ModelStore.MODEL_FILE)));
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "no staging or replaced directories left behind");
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws IOException {
        Path blocker = Files.writeString(dir.resolve("file-not-dir"), "x");
        ModelStore store = new ModelStore(new Configuration());
        OutputException e = assertThrows(OutputException.class,
                () -> store.save(blocker.resolve("m").toString(), false, trainedNet(), null, Map.of()));
        assertTrue(e.getMessage().startsWith("cannot write output file:" + blocker.resolve("m")), e.getMessage());
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count());
        }
    }
}
