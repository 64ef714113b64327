package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forward pass against hand-computed matrices of the 4x4 image with values 1..16 (row-major). */
@Tag("unit")
class Padding2DForwardTest {

    @Test
    void zero() {
        check(PaddingKind.ZERO, 1, new double[][] {
                {0, 0, 0, 0, 0, 0},
                {0, 1, 2, 3, 4, 0},
                {0, 5, 6, 7, 8, 0},
                {0, 9, 10, 11, 12, 0},
                {0, 13, 14, 15, 16, 0},
                {0, 0, 0, 0, 0, 0}});
        check(PaddingKind.ZERO, 2, new double[][] {
                {0, 0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0, 0},
                {0, 0, 1, 2, 3, 4, 0, 0},
                {0, 0, 5, 6, 7, 8, 0, 0},
                {0, 0, 9, 10, 11, 12, 0, 0},
                {0, 0, 13, 14, 15, 16, 0, 0},
                {0, 0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0, 0}});
    }

    @Test
    void edge() {
        check(PaddingKind.EDGE, 1, new double[][] {
                {1, 1, 2, 3, 4, 4},
                {1, 1, 2, 3, 4, 4},
                {5, 5, 6, 7, 8, 8},
                {9, 9, 10, 11, 12, 12},
                {13, 13, 14, 15, 16, 16},
                {13, 13, 14, 15, 16, 16}});
        check(PaddingKind.EDGE, 2, new double[][] {
                {1, 1, 1, 2, 3, 4, 4, 4},
                {1, 1, 1, 2, 3, 4, 4, 4},
                {1, 1, 1, 2, 3, 4, 4, 4},
                {5, 5, 5, 6, 7, 8, 8, 8},
                {9, 9, 9, 10, 11, 12, 12, 12},
                {13, 13, 13, 14, 15, 16, 16, 16},
                {13, 13, 13, 14, 15, 16, 16, 16},
                {13, 13, 13, 14, 15, 16, 16, 16}});
    }

    @Test
    void symmetric() {
        check(PaddingKind.SYMMETRIC, 1, new double[][] {
                {1, 1, 2, 3, 4, 4},
                {1, 1, 2, 3, 4, 4},
                {5, 5, 6, 7, 8, 8},
                {9, 9, 10, 11, 12, 12},
                {13, 13, 14, 15, 16, 16},
                {13, 13, 14, 15, 16, 16}});
        check(PaddingKind.SYMMETRIC, 2, new double[][] {
                {6, 5, 5, 6, 7, 8, 8, 7},
                {2, 1, 1, 2, 3, 4, 4, 3},
                {2, 1, 1, 2, 3, 4, 4, 3},
                {6, 5, 5, 6, 7, 8, 8, 7},
                {10, 9, 9, 10, 11, 12, 12, 11},
                {14, 13, 13, 14, 15, 16, 16, 15},
                {14, 13, 13, 14, 15, 16, 16, 15},
                {10, 9, 9, 10, 11, 12, 12, 11}});
    }

    @Test
    void reflect() {
        check(PaddingKind.REFLECT, 1, new double[][] {
                {6, 5, 6, 7, 8, 7},
                {2, 1, 2, 3, 4, 3},
                {6, 5, 6, 7, 8, 7},
                {10, 9, 10, 11, 12, 11},
                {14, 13, 14, 15, 16, 15},
                {10, 9, 10, 11, 12, 11}});
        check(PaddingKind.REFLECT, 2, new double[][] {
                {11, 10, 9, 10, 11, 12, 11, 10},
                {7, 6, 5, 6, 7, 8, 7, 6},
                {3, 2, 1, 2, 3, 4, 3, 2},
                {7, 6, 5, 6, 7, 8, 7, 6},
                {11, 10, 9, 10, 11, 12, 11, 10},
                {15, 14, 13, 14, 15, 16, 15, 14},
                {11, 10, 9, 10, 11, 12, 11, 10},
                {7, 6, 5, 6, 7, 8, 7, 6}});
    }

    @Test
    void wrap() {
        check(PaddingKind.WRAP, 1, new double[][] {
                {16, 13, 14, 15, 16, 13},
                {4, 1, 2, 3, 4, 1},
                {8, 5, 6, 7, 8, 5},
                {12, 9, 10, 11, 12, 9},
                {16, 13, 14, 15, 16, 13},
                {4, 1, 2, 3, 4, 1}});
        check(PaddingKind.WRAP, 2, new double[][] {
                {11, 12, 9, 10, 11, 12, 9, 10},
                {15, 16, 13, 14, 15, 16, 13, 14},
                {3, 4, 1, 2, 3, 4, 1, 2},
                {7, 8, 5, 6, 7, 8, 5, 6},
                {11, 12, 9, 10, 11, 12, 9, 10},
                {15, 16, 13, 14, 15, 16, 13, 14},
                {3, 4, 1, 2, 3, 4, 1, 2},
                {7, 8, 5, 6, 7, 8, 5, 6}});
    }

    @Test
    void asymmetricReflectTop1Bottom0Left2Right1() {
        INDArray out = PaddingLayers.forward(new Padding2D(PaddingKind.REFLECT, 1, 0, 2, 1), image4x4());
        assertArrayEquals(new long[] {1, 1, 5, 7}, out.shape());
        assertArrayEquals(new double[][] {
                {7, 6, 5, 6, 7, 8, 7},
                {3, 2, 1, 2, 3, 4, 3},
                {7, 6, 5, 6, 7, 8, 7},
                {11, 10, 9, 10, 11, 12, 11},
                {15, 14, 13, 14, 15, 16, 15}}, out.slice(0).slice(0).toDoubleMatrix());
    }

    /** Two examples of two channels, each 2x2, WRAP by 1: every image is padded from itself only. */
    @Test
    void channelsAndExamplesStaySeparate() {
        INDArray in = Nd4j.linspace(DataType.DOUBLE, 1, 16, 1).reshape('c', 2, 2, 2, 2);
        INDArray out = PaddingLayers.forward(new Padding2D(PaddingKind.WRAP, 1, 1, 1, 1), in);
        assertArrayEquals(new long[] {2, 2, 4, 4}, out.shape());
        double[][][][] expected = {
                {{{4, 3, 4, 3}, {2, 1, 2, 1}, {4, 3, 4, 3}, {2, 1, 2, 1}},
                        {{8, 7, 8, 7}, {6, 5, 6, 5}, {8, 7, 8, 7}, {6, 5, 6, 5}}},
                {{{12, 11, 12, 11}, {10, 9, 10, 9}, {12, 11, 12, 11}, {10, 9, 10, 9}},
                        {{16, 15, 16, 15}, {14, 13, 14, 13}, {16, 15, 16, 15}, {14, 13, 14, 13}}}};
        for (int e = 0; e < 2; e++) {
            for (int c = 0; c < 2; c++) {
                assertArrayEquals(expected[e][c], out.slice(e).slice(c).toDoubleMatrix(), "example " + e + " channel " + c);
            }
        }
    }

    /** The ZERO kind agrees with DL4J's own ZeroPaddingLayer, forward and backward. */
    @Test
    void zeroKindMatchesDl4jZeroPaddingLayer() {
        Nd4j.getRandom().setSeed(7);
        INDArray in = Nd4j.rand(DataType.DOUBLE, 2, 3, 5, 4);
        INDArray ours = PaddingLayers.forward(new Padding2D(PaddingKind.ZERO, 1, 2, 3, 0), in);
        INDArray theirs = PaddingLayers.forward(new ZeroPaddingLayer(1, 2, 3, 0), in);
        assertEquals(theirs, ours);
        INDArray grad = Nd4j.rand(DataType.DOUBLE, theirs.shape());
        assertEquals(PaddingLayers.backward(new ZeroPaddingLayer(1, 2, 3, 0), in, grad),
                PaddingLayers.backward(new Padding2D(PaddingKind.ZERO, 1, 2, 3, 0), in, grad));
    }

    /** NHWC input gives the NCHW result with the channel axis last, forward and backward. */
    @Test
    void nhwcMatchesNchwPermuted() {
        Nd4j.getRandom().setSeed(11);
        INDArray nchw = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 5);
        INDArray nhwc = nchw.permute(0, 2, 3, 1).dup('c');
        Padding2D chFirst = new Padding2D(PaddingKind.SYMMETRIC, 2, 1, 0, 3);
        Padding2D chLast = new Padding2D.Builder(PaddingKind.SYMMETRIC, 2, 1, 0, 3).dataFormat(CNN2DFormat.NHWC).build();
        INDArray outFirst = PaddingLayers.forward(chFirst, nchw);
        assertEquals(outFirst.permute(0, 2, 3, 1), PaddingLayers.forward(chLast, nhwc));
        INDArray grad = Nd4j.rand(DataType.DOUBLE, outFirst.shape());
        assertEquals(PaddingLayers.backward(chFirst, nchw, grad).permute(0, 2, 3, 1),
                PaddingLayers.backward(chLast, nhwc, grad.permute(0, 2, 3, 1).dup('c')));

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new Padding2D(PaddingKind.EDGE, 1, 1, 1, 1))
                .setInputType(InputType.convolutional(4, 5, 3, CNN2DFormat.NHWC)).build();
        assertEquals(CNN2DFormat.NHWC, ((Padding2D) conf.getConf(0).getLayer()).getDataFormat());
    }

    /** Dropout on the layer masks its input in training only; dropped pixels then get no gradient either. */
    @Test
    void dropoutOnTheLayerMasksItsInputWhenTraining() {
        Padding2D conf = new Padding2D.Builder(PaddingKind.EDGE, 1).dropOut(0.5).build();
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 1, 1, 8, 8);
        assertEquals(Nd4j.ones(DataType.DOUBLE, 1, 1, 10, 10), PaddingLayers.forward(conf, ones));

        Nd4j.getRandom().setSeed(3);
        Layer layer = PaddingLayers.instantiate(conf);
        INDArray kept = layer.activate(ones, true, LayerWorkspaceMgr.noWorkspaces())
                .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 9), NDArrayIndex.interval(1, 9));
        INDArray grad = layer.backpropGradient(Nd4j.ones(DataType.DOUBLE, 1, 1, 10, 10), LayerWorkspaceMgr.noWorkspaces())
                .getSecond();
        double dropped = kept.eq(0.0).castTo(DataType.DOUBLE).sumNumber().doubleValue();
        assertTrue(dropped > 0 && dropped < 64, "dropped " + dropped);
        assertEquals(64 - dropped, kept.eq(2.0).castTo(DataType.DOUBLE).sumNumber().doubleValue());
        assertEquals(kept.eq(0.0), grad.eq(0.0));
    }

    @Test
    void outputTypeAndValidation() {
        Padding2D pad = new Padding2D.Builder(PaddingKind.EDGE, 1, 2, 3, 4).name("pad").build();
        assertEquals(InputType.convolutional(28 + 3, 28 + 7, 32), pad.getOutputType(0, InputType.convolutional(28, 28, 32)));
        assertThrows(IllegalStateException.class, () -> pad.getOutputType(0, InputType.feedForward(784)));
        assertThrows(IllegalArgumentException.class, () -> new Padding2D(PaddingKind.WRAP, 1, -1, 0, 0));
        assertThrows(IllegalStateException.class,
                () -> PaddingLayers.forward(pad, Nd4j.rand(DataType.DOUBLE, 2, 784)));
    }

    private static void check(PaddingKind kind, int pad, double[][] expected) {
        INDArray out = PaddingLayers.forward(new Padding2D(kind, pad, pad, pad, pad), image4x4());
        assertArrayEquals(new long[] {1, 1, 4 + 2 * pad, 4 + 2 * pad}, out.shape());
        assertArrayEquals(expected, out.slice(0).slice(0).toDoubleMatrix(), kind + " pad " + pad);
    }

    /** One example, one channel: the 4x4 image 1 2 3 4 / 5 6 7 8 / 9 10 11 12 / 13 14 15 16. */
    private static INDArray image4x4() {
        return Nd4j.linspace(DataType.DOUBLE, 1, 16, 1).reshape('c', 1, 1, 4, 4);
    }
}
