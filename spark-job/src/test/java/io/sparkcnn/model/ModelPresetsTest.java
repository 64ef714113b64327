package io.sparkcnn.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class ModelPresetsTest {
    @Test
    void seedFcHasTheLecturesParameterCountAndAdam() {
        MultiLayerConfiguration conf = ModelPresets.build(ModelPresets.SEED_FC, 1, 28, 28);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(155_830, net.numParams());
        assertEquals(155_830, ModelSummary.of(conf, ModelPresets.inputType(ModelPresets.SEED_FC, 28, 28)).totalParams());
        assertInstanceOf(Adam.class, conf.getConf(0).getLayer().getUpdaterByParam("W"));
    }

    @Test
    void seedCnnHasTheLecturesParameterCountAdaDeltaAndKerasDropoutRates() {
        MultiLayerConfiguration conf = ModelPresets.build(ModelPresets.SEED_CNN, 1, 28, 28);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(1_199_882, net.numParams());
        assertInstanceOf(AdaDelta.class, conf.getConf(0).getLayer().getUpdaterByParam("W"));
        // Keras Dropout(0.25) and Dropout(0.5) keep 75 % and 50 % of the units.
        assertEquals(0.75, keepProbability(conf, 3), 1e-12);
        assertEquals(0.5, keepProbability(conf, 5), 1e-12);
    }

    @Test
    void summaryListsEveryLayerWithKerasStyleShapes() {
        MultiLayerConfiguration conf = ModelPresets.build(ModelPresets.SEED_CNN, 1, 28, 28);
        ModelSummary summary = ModelSummary.of(conf, ModelPresets.inputType(ModelPresets.SEED_CNN, 28, 28));
        assertEquals(7, summary.rows().size());
        assertEquals(new ModelSummary.Row("conv2d_1 (ConvolutionLayer)", "(None, 32, 26, 26)", 320), summary.rows().get(0));
        assertEquals(new ModelSummary.Row("max_pooling2d (SubsamplingLayer)", "(None, 64, 12, 12)", 0), summary.rows().get(2));
        assertEquals(new ModelSummary.Row("dense_1 (DenseLayer)", "(None, 128)", 1_179_776), summary.rows().get(4));
        assertTrue(summary.render().contains("Total params: 1,199,882"), summary.render());
    }

    private static double keepProbability(MultiLayerConfiguration conf, int layer) {
        DropoutLayer d = (DropoutLayer) conf.getConf(layer).getLayer();
        return ((org.deeplearning4j.nn.conf.dropout.Dropout) d.getIDropout()).getP();
    }
}
