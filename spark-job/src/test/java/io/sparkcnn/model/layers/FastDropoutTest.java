package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Masks of {@link FastDropout}: values, keep rate, seeding, backward pass, configuration JSON. */
@Tag("unit")
class FastDropoutTest {
    private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

    private static INDArray apply(FastDropout d, INDArray in, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return d.applyDropout(in, in.ulike(), 0, 0, NO_WORKSPACES);
    }

    @Test
    void keepsAboutPOfTheActivationsScaledByOneOverP() {
        for (double p : new double[] {0.75, 0.5, 0.3}) {
            int n = 1_000_003;
            INDArray in = Nd4j.rand(DataType.FLOAT, n).addi(0.5);
            INDArray out = apply(new FastDropout(p), in, 42);
            float[] x = in.toFloatVector();
            float[] y = out.toFloatVector();
            long kept = 0;
            for (int i = 0; i < n; i++) {
                if (y[i] != 0f) {
                    kept++;
                    assertEquals(x[i] * (float) (1 / p), y[i], 1e-6f * Math.abs(y[i]), "element " + i);
                }
            }
            double sigma = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(kept - n * p) < 5 * sigma, "p=" + p + ": kept " + kept + " of " + n);
        }
    }

    @Test
    void theMaskDependsOnlyOnNd4jsSeed() {
        INDArray in = Nd4j.ones(DataType.FLOAT, 64, 3, 5, 5);
        FastDropout d = new FastDropout(0.5);
        INDArray a = apply(d, in, 7);
        INDArray b = apply(new FastDropout(0.5), in, 7);
        INDArray c = apply(d, in, 8);
        assertArrayEquals(a.data().asFloat(), b.data().asFloat());
        assertFalse(a.equals(c), "another seed, another mask");
    }

    @Test
    void backpropMultipliesByTheSameMask() {
        INDArray in = Nd4j.ones(DataType.FLOAT, 32, 17);
        FastDropout d = new FastDropout(0.75);
        INDArray mask = apply(d, in, 3);
        INDArray grad = Nd4j.rand(DataType.FLOAT, 32, 17);
        INDArray back = d.backprop(grad, grad.ulike(), 0, 0);
        assertArrayEquals(grad.mul(mask).data().asFloat(), back.data().asFloat(), 1e-7f);
    }

    @Test
    void otherTypesGoToDl4jsDropout() {
        INDArray in = Nd4j.ones(DataType.DOUBLE, 1000);
        FastDropout d = new FastDropout(0.5);
        INDArray out = apply(d, in, 5);
        double kept = out.neq(0).castTo(DataType.DOUBLE).sumNumber().doubleValue();
        assertTrue(kept > 400 && kept < 600, "kept " + kept);
        assertEquals(2.0, out.maxNumber().doubleValue(), 0);
        INDArray back = d.backprop(in, in.ulike(), 0, 0);
        assertArrayEquals(out.toDoubleVector(), back.toDoubleVector(), 0);
    }

    @Test
    void keepProbabilityIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new FastDropout(0));
        assertThrows(IllegalArgumentException.class, () -> new FastDropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new FastDropout(Double.NaN));
        INDArray in = Nd4j.rand(DataType.FLOAT, 100);
        assertArrayEquals(in.toFloatVector(), apply(new FastDropout(1.0), in, 1).toFloatVector());
    }

    @Test
    void survivesTheConfigurationsJson() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new DropoutLayer.Builder().dropOut(new FastDropout(0.75)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2).build())
                .build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        FastDropout d = assertInstanceOf(FastDropout.class, back.getConf(1).getLayer().getIDropout());
        assertEquals(0.75, d.getP());
        assertEquals(conf, back);
        assertFalse(new FastDropout(0.75).equals(new Dropout(0.75)));
    }
}
