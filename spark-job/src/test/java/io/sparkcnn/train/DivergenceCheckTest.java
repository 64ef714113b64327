package io.sparkcnn.train;

import io.sparkcnn.Networks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class DivergenceCheckTest {
    @Test
    void aNaNLossStopsTrainingAndAFiniteOneDoesNot() {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 1));
        net.init();
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 784), Nd4j.eye(4).castTo(DataType.FLOAT)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)));
        DataSet tenClasses = new DataSet(batch.getFeatures(), Nd4j.concat(1, batch.getLabels(), Nd4j.zeros(DataType.FLOAT, 4, 6)));
        DivergenceCheck check = new DivergenceCheck();
        net.setListeners(check);
        assertDoesNotThrow(() -> net.fit(tenClasses));

        net.params().assign(Double.NaN);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(tenClasses));
        assertTrue(e.getMessage().startsWith("training diverged: loss is NaN"), e.getMessage());
    }
}
