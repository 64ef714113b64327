package io.sparkcnn.model;

import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.OutputException;
import io.sparkcnn.store.SavedModel;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The input contract of every network kind the job trains (NHWC and NCHW CNNs, seed-fc, padding networks,
 * transfer-learned networks), its JSON, its checks against the network, and the contracts derived for models
 * saved before contracts existed (the committed models in {@code legacy-models/}).
 */
@Tag("unit")
class InputContractTest {
    private static final List<String> DIGITS = InputContract.digitLabels(10);

    @TempDir
    Path dir;

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static InputContract withoutDerivation(InputContract c) {
        return new InputContract(c.format(), c.height(), c.width(), c.channels(), c.layout(), c.pixelScale(),
                c.polarity(), c.labels(), null);
    }

    /** The stored contract of a network trained on 28x28 digits; it equals the one derived from the network. */
    private static InputContract storedAndDerived(MultiLayerNetwork net, InputContract.Layout layout) {
        InputContract stored = InputContract.forTraining(net, 28, 28, DIGITS);
        assertEquals(new InputContract(1, 28, 28, 1, layout, 255.0, "light-on-dark", DIGITS, null), stored);
        InputContract derived = InputContract.derive(net);
        assertNotNull(derived.derivedFrom());
        assertEquals(stored, withoutDerivation(derived));
        assertEquals(stored, InputContract.fromJson(stored.toJson(), "input.json"), "JSON round trip");
        assertEquals(stored, InputContract.fromJson(derived.toJson(), "input.json"), "derivation is not stored");
        return stored;
    }

    @Test
    void everyNetworkKindHasTheContractOfWhatItTakes() {
        storedAndDerived(init(Networks.build("seed-fc", 1)), InputContract.Layout.FLAT);
        MultiLayerNetwork cnn = init(Networks.build("seed-cnn", 1));
        storedAndDerived(cnn, InputContract.Layout.NHWC);
        for (String kind : List.of("zero", "edge", "symmetric", "wrap")) {
            MultiLayerNetwork padded = init(NetworkFactory.build(Networks.preset("seed-cnn-same", "padding-kind=" + kind),
                    1, 28, 28));
            InputContract.Layout expected = kind.equals("zero") ? InputContract.Layout.NHWC : InputContract.Layout.NCHW;
            assertEquals(expected, storedAndDerived(padded, expected).layout(), kind);
        }
        TransferLearning.Start transfer = TransferLearning.start(cnn, Networks.build("seed-cnn", 2), "conv");
        assertInstanceOf(FrozenLayer.class, transfer.network().getLayerWiseConfigurations().getConf(0).getLayer());
        storedAndDerived(transfer.network(), InputContract.Layout.NHWC);
        MultiLayerNetwork fc = init(Networks.build("seed-fc", 1));
        MultiLayerNetwork frozenDense = new org.deeplearning4j.nn.transferlearning.TransferLearning.Builder(fc)
                .setFeatureExtractor(0).build();
        storedAndDerived(frozenDense, InputContract.Layout.FLAT);
        assertEquals("28x28x1 NHWC, pixels / 255, light-on-dark, labels 0-9",
                InputContract.forTraining(cnn, 28, 28, DIGITS).describe());
    }

    @Test
    void aDenseNetworkOnOblongImagesNeedsItsStoredContract() throws IOException {
        MultiLayerNetwork net = init(NetworkFactory.build(Networks.preset("seed-fc"), 1, 20, 30));
        IllegalArgumentException guess = assertThrows(IllegalArgumentException.class, () -> InputContract.derive(net));
        assertEquals("the model's first layer takes 600 values, not a square image, and the model has no input.json "
                + "to say its size", guess.getMessage());
        InputContract stored = InputContract.forTraining(net, 20, 30, DIGITS);
        Path out = dir.resolve("oblong");
        new ModelStore(new Configuration()).save(out.toString(), false, net, null,
                Map.of(InputContract.FILE, stored.toJson()));
        SavedModel loaded = new ModelStore(new Configuration()).open(out.toString());
        assertEquals(stored, loaded.input());
        assertEquals(stored, new ModelStore(new Configuration()).open(out.resolve("model.zip").toString()).input(),
                "the contract beside a model.zip given as a file");
    }

    @Test
    void aContractThatDoesNotFitTheNetworkIsRefusedNamingBothSides() throws IOException {
        MultiLayerNetwork cnn = init(Networks.build("seed-cnn", 1));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> InputContract.forTraining(cnn, 20, 20, DIGITS));
        assertEquals("the contract says images of 20x20x1, the network takes 28x28x1", size.getMessage());
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> InputContract.forTraining(cnn, 28, 28, InputContract.digitLabels(5)));
        assertEquals("the contract names 5 labels, the network gives 10 outputs", classes.getMessage());
        IllegalArgumentException layout = assertThrows(IllegalArgumentException.class,
                () -> new InputContract(1, 28, 28, 1, InputContract.Layout.NCHW, 255, "light-on-dark", DIGITS, null)
                        .check(cnn));
        assertEquals("the contract says layout NCHW, the network is NHWC", layout.getMessage());
        MultiLayerNetwork fc = init(Networks.build("seed-fc", 1));
        IllegalArgumentException values = assertThrows(IllegalArgumentException.class,
                () -> InputContract.forTraining(fc, 20, 30, DIGITS));
        assertEquals("the contract says 600 values per image (20x30x1), the network's first layer takes 784",
                values.getMessage());

        Path out = dir.resolve("mismatch");
        ModelStore store = new ModelStore(new Configuration());
        store.save(out.toString(), false, fc, null, Map.of(InputContract.FILE,
                new InputContract(1, 20, 30, 1, InputContract.Layout.FLAT, 255, "light-on-dark", DIGITS, null).toJson()));
        OutputException refused = assertThrows(OutputException.class, () -> store.open(out.toString()));
        assertTrue(refused.getMessage().endsWith("the contract says 600 values per image (20x30x1), the network's "
                + "first layer takes 784"), refused.getMessage());

        store.save(out.toString(), true, fc, null, Map.of(InputContract.FILE,
                "{\"format\": 2, \"height\": 28}".getBytes(StandardCharsets.UTF_8)));
        OutputException unreadable = assertThrows(OutputException.class, () -> store.open(out.toString()));
        assertTrue(unreadable.getMessage().contains("input.json: not a readable input contract"), unreadable.getMessage());
        store.save(out.toString(), true, fc, null, Map.of(InputContract.FILE, new String(InputContract.forTraining(fc, 28,
                28, DIGITS).toJson(), StandardCharsets.UTF_8).replace("\"format\" : 1", "\"format\" : 2")
                .getBytes(StandardCharsets.UTF_8)));
        OutputException newer = assertThrows(OutputException.class, () -> store.open(out.toString()));
        assertTrue(newer.getMessage().endsWith("input.json: format 2, this version reads format 1"), newer.getMessage());
    }

    @Test
    void modelsSavedBeforeContractsGetThemDerivedFromTheirNetworks() {
        Path legacy = TestData.projectRoot().resolve("spark-job/src/test/resources/legacy-models");
        Map<String, String> expected = Map.of(
                "nhwc-cnn", "28x28x1 NHWC, pixels / 255, light-on-dark, labels 0-9 (derived from FlatToNhwcPreProcessor)",
                "nchw-padding-cnn", "28x28x1 NCHW, pixels / 255, light-on-dark, labels 0-9 (derived from "
                        + "FeedForwardToCnnPreProcessor)",
                "dense", "28x28x1 FLAT, pixels / 255, light-on-dark, labels 0-9 (derived from the dense first layer's "
                        + "784 inputs, read as a square image)");
        expected.forEach((name, description) -> {
            Path model = legacy.resolve(name);
            assertTrue(Files.isRegularFile(model.resolve("model.zip")), model.toString());
            assertTrue(Files.notExists(model.resolve(InputContract.FILE)), "saved before contracts");
            SavedModel loaded = new ModelStore(new Configuration()).open(model.toString());
            assertEquals(description, loaded.input().describe(), name);
        });
        assertNull(InputContract.forTraining(init(Networks.build("seed-fc", 1)), 28, 28, DIGITS).derivedFrom());
    }
}
