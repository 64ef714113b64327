package io.sparkcnn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.Networks;
import io.sparkcnn.config.OuterConfig;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class TrainingHistoryTest {
    private static final TrainingHistory TWO_EPOCHS = TrainingHistory.empty("test")
            .with(new TrainingHistory.Epoch(1, 0.123, 0.97, 0.975, 80.1, 750.2, 400.3, List.of(0.2, 0.046)))
            .with(new TrainingHistory.Epoch(2, 0.0005, null, 0.98, 79.5, 754.0, 401.0));

    @Test
    void jsonHasTheAgreedShapeWithNumbersAndNulls() {
        assertEquals("{\"heldOut\":\"test\",\"epochs\":["
                        + "{\"epoch\":1,\"trainLoss\":0.123,\"trainAccuracy\":0.97,\"validationAccuracy\":0.975,"
                        + "\"wallSeconds\":80.1,\"imagesPerSecond\":750.2,\"imagesPerCpuSecond\":400.3,"
                        + "\"roundLosses\":[0.2,0.046]},"
                        + "{\"epoch\":2,\"trainLoss\":5.0E-4,\"trainAccuracy\":null,\"validationAccuracy\":0.98,"
                        + "\"wallSeconds\":79.5,\"imagesPerSecond\":754.0,\"imagesPerCpuSecond\":401.0,"
                        + "\"roundLosses\":[]}]}",
                new String(TWO_EPOCHS.json(), StandardCharsets.UTF_8));
    }

    @Test
    void csvHasTheHeaderAndOneRowPerEpochWithEmptyFieldsForNulls() {
        assertEquals("""
                epoch,train_loss,train_accuracy,validation_accuracy,wall_seconds,images_per_second,images_per_cpu_second
                1,0.123,0.97,0.975,80.1,750.2,400.3
                2,0.0005,,0.98,79.5,754,401
                """, new String(TWO_EPOCHS.csv(), StandardCharsets.UTF_8));
    }

    @Test
    void jsonReadsBackToTheSameHistory() throws Exception {
        assertEquals(TWO_EPOCHS, TrainingHistory.fromJson(new ObjectMapper().readTree(TWO_EPOCHS.json())));
        assertEquals(1, TWO_EPOCHS.first(1).epochs().size());
    }

    @Test
    void aHistoryWrittenBeforeRoundLossesReadsWithNoRounds() throws Exception {
        TrainingHistory old = TrainingHistory.fromJson(new ObjectMapper().readTree("{\"heldOut\":\"test\",\"epochs\":["
                + "{\"epoch\":1,\"trainLoss\":0.246,\"trainAccuracy\":0.9,\"validationAccuracy\":0.88,"
                + "\"wallSeconds\":5.4,\"imagesPerSecond\":1107.8,\"imagesPerCpuSecond\":570.3}]}"));
        assertEquals(1, old.epochs().size());
        assertEquals(0.246, old.epochs().get(0).trainLoss());
        assertEquals(List.of(), old.epochs().get(0).roundLosses());
    }

    @Test
    void aNonFiniteRoundLossIsWrittenAsNull() {
        TrainingHistory h = TrainingHistory.empty("test").with(new TrainingHistory.Epoch(1, 0.5, null, null, 1, 2, 3,
                java.util.Arrays.asList(0.5, Double.NaN, null)));
        assertEquals(java.util.Arrays.asList(0.5, null, null), h.epochs().get(0).roundLosses());
        assertTrue(new String(h.json(), StandardCharsets.UTF_8).contains("\"roundLosses\":[0.5,null,null]"));
    }

    @Test
    void epochsMustBeNumberedInOrder() {
        assertThrows(IllegalArgumentException.class, () -> TrainingHistory.empty("test")
                .with(new TrainingHistory.Epoch(2, 0.1, null, null, 1, 1, 1)));
    }

    @Test
    void aNonFiniteMeasurementIsWrittenAsNull() {
        TrainingHistory h = TrainingHistory.empty("validation")
                .with(new TrainingHistory.Epoch(1, Double.NaN, null, 0.5, 1, 2, 3));
        assertEquals(null, h.epochs().get(0).trainLoss());
        assertEquals("1,,,0.5,1,2,3", new String(h.csv(), StandardCharsets.UTF_8).split("\n")[1]);
    }

    @Test
    void aCheckpointCarriesTheHistoryTheRoundLossesOfTheUnfinishedEpochAndTheWeightAverage(@TempDir Path dir) {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 1));
        net.init();
        Checkpoints checkpoints = new Checkpoints(new Configuration(), dir.resolve("ckpt").toString(), "hash", 2);
        TailAverage average = new TailAverage(3, 2);
        average.epochDone(2, net);
        OuterOptimizer outer = new OuterOptimizer(new OuterConfig("nesterov", 0.7, 0.9));
        outer.step(net.params(), net.params().add(0.01));
        checkpoints.save(net, 2, 40, new double[] {0.5, 0.25, 0}, TWO_EPOCHS, List.of(0.2, 0.1), average.toBytes(),
                outer.toBytes());

        Checkpoints.Checkpoint cp = checkpoints.latest().orElseThrow();
        assertEquals(2, cp.epochsDone());
        assertEquals(40, cp.batchesDone());
        assertEquals(TWO_EPOCHS, cp.history());
        assertEquals(List.of(0.2, 0.046), cp.history().epochs().get(0).roundLosses(), "finished epochs keep their rounds");
        assertEquals(List.of(0.2, 0.1), cp.roundLosses());
        assertArrayEquals(average.toBytes(), cp.tailAverage());
        assertArrayEquals(outer.toBytes(), cp.outerState(), "the outer optimizer's momentum travels with the checkpoint");

        checkpoints.save(net, 1, 0, new double[] {0.5, 0.25, 0}, TWO_EPOCHS, List.of(), null, null);
        Checkpoints.Checkpoint first = checkpoints.latest().orElseThrow();
        assertNull(first.outerState(), "plain averaging has no outer state");
        assertEquals(TWO_EPOCHS.first(1), first.history(), "a checkpoint after epoch 1 keeps epoch 1 only");
        assertNull(first.tailAverage());
    }
}
