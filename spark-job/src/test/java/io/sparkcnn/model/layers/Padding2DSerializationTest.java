package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.io.File;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layer survives DL4J's JSON configuration format and ModelSerializer's zip files. */
@Tag("unit")
class Padding2DSerializationTest {

    @Test
    void configurationRoundTripsThroughJsonForEveryKind() {
        for (PaddingKind kind : PaddingKind.values()) {
            MultiLayerConfiguration conf = network(kind);
            String json = conf.toJson();
            assertTrue(json.contains("\"@class\" : \"io.sparkcnn.model.layers.Padding2D\""), json);
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertEquals(conf, back, kind.name());
            Padding2D pad = assertInstanceOf(Padding2D.class, back.getConf(1).getLayer());
            assertEquals(kind, pad.getKind());
            assertArrayEquals(new int[] {1, 2, 0, 3}, pad.getPadding());
            assertEquals("pad", pad.getLayerName());
        }
        assertNotEquals(network(PaddingKind.EDGE), network(PaddingKind.SYMMETRIC));
    }

    @Test
    void modelSerializerRestoresAnIdenticalNetwork(@TempDir File dir) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(network(PaddingKind.REFLECT));
        net.init();
        Nd4j.getRandom().setSeed(5);
        INDArray input = Nd4j.rand(DataType.FLOAT, 3, 1, 6, 6);
        INDArray labels = Nd4j.eye(3).castTo(DataType.FLOAT);
        net.fit(input, labels);

        File file = new File(dir, "padded.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(net.output(input), restored.output(input));
        assertInstanceOf(Padding2DLayer.class, restored.getLayer(1));
    }

    /** Conv 3x3 -> Padding2D(kind, top 1, bottom 2, left 0, right 3) -> output layer, on 6x6x1 images. */
    private static MultiLayerConfiguration network(PaddingKind kind) {
        return new NeuralNetConfiguration.Builder()
                .seed(1)
                .updater(new Adam(1e-3))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build())
                .layer(new Padding2D.Builder(kind, 1, 2, 0, 3).name("pad").build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1))
                .build();
    }
}
