package io.sparkcnn.model.regularization;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;

import static io.sparkcnn.model.regularization.PenaltyChecks.BETA;
import static io.sparkcnn.model.regularization.PenaltyChecks.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON (configuration and ModelSerializer) and Java serialization of the penalties, clone and equality. */
@Tag("unit")
class PenaltiesSerializationTest {

    static List<Regularization> penalties() {
        return PenaltyNetworks.penalties().toList();
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void configurationRoundTripsThroughJson(Regularization penalty) {
        for (MultiLayerConfiguration conf : List.of(PenaltyNetworks.dense(List.of(penalty)), PenaltyNetworks.conv(List.of(penalty)))) {
            String json = conf.toJson();
            assertTrue(json.contains(penalty.getClass().getName()), json);
            MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(json);
            assertEquals(conf, restored);
            BaseLayer layer = (BaseLayer) restored.getConf(0).getLayer();
            assertEquals(List.of(penalty), layer.getRegularization());
            assertEquals(List.of(), layer.getRegularizationBias());
        }
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void networkRoundTripsThroughModelSerializer(Regularization penalty, @TempDir Path dir) throws Exception {
        MultiLayerNetwork net = PenaltyNetworks.network(PenaltyNetworks.conv(List.of(penalty)), 5);
        File file = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        for (MultiLayerNetwork n : List.of(net, restored)) {
            PenaltyNetworks.setData(n);
            n.computeGradientAndScore();
        }
        assertEquals(net.score(), restored.score(), 0.0);
        assertEquals(net.calcRegularizationScore(true), restored.calcRegularizationScore(true), 0.0);
        assertTrue(restored.calcRegularizationScore(true) > 0);
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void cloneAndJavaSerializationPreserveEqualityAndBehaviour(Regularization penalty) throws Exception {
        Regularization clone = penalty.clone();
        assertNotSame(penalty, clone);
        assertEquals(penalty, clone);
        assertEquals(penalty.hashCode(), clone.hashCode());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(penalty);
        }
        Regularization copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Regularization) in.readObject();
        }
        assertEquals(penalty, copy);
        assertEquals(penalty.score(vector(BETA), 0, 0), copy.score(vector(BETA), 0, 0), 0.0);
    }

    @Test
    void equalityDependsOnEveryArgumentAndTheClass() {
        assertNotEquals(new RidgePenalty(0.1), new RidgePenalty(0.2));
        assertNotEquals(new RidgePenalty(0.1), new LassoPenalty(0.1));
        assertNotEquals(new LassoPenalty(0.1), new LassoPenalty(0.2));
        assertNotEquals(new ElasticNetPenalty(0.1, 0.2), new ElasticNetPenalty(0.3, 0.2));
        assertNotEquals(new ElasticNetPenalty(0.1, 0.2), new ElasticNetPenalty(0.1, 0.3));
        assertNotEquals(new IndexPowerPenalty(0.1, 2), new IndexPowerPenalty(0.2, 2));
        assertNotEquals(new IndexPowerPenalty(0.1, 2), new IndexPowerPenalty(0.1, 3));
        assertNotEquals(new IndexPowerPenalty(0.1, 0), new RidgePenalty(0.1));
        assertNotEquals(new LpPenalty(0.1, 0.5, 1e-8), new LpPenalty(0.2, 0.5, 1e-8));
        assertNotEquals(new LpPenalty(0.1, 0.5, 1e-8), new LpPenalty(0.1, 0.6, 1e-8));
        assertNotEquals(new LpPenalty(0.1, 0.5, 1e-8), new LpPenalty(0.1, 0.5, 1e-6));
        assertEquals(new LpPenalty(0.1, 0.5, 1e-8), new LpPenalty(0.1, 0.5, 1e-8));
    }
}
