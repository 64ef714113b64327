package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The implementation of {@link Padding2D}: {@code out[.., r, c] = in[.., srcRow(r - top), srcCol(c - left)]}
 * with {@code srcRow = kind.source(., h)} and {@code srcCol = kind.source(., w)}, zero where either is -1.
 * Works on whole views: the interior is copied as one block, then each border column (interior rows only) and
 * each full border row is copied from the interior, so the cost in Java is one array operation per border
 * row or column, never per pixel. The backward pass runs the same steps in reverse as scatter-adds, so every
 * input pixel gets the sum of the gradients of all output pixels that copied it. No parameters.
 */
public class Padding2DLayer extends AbstractLayer<Padding2D> {

    public Padding2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        checkRank(input);
        applyDropOutIfNecessary(training, workspaceMgr);
        boolean nchw = layerConf().getDataFormat() == CNN2DFormat.NCHW;
        int[] pad = layerConf().getPadding();
        long[] in = input.shape();
        int h = (int) in[nchw ? 2 : 1];
        int w = (int) in[nchw ? 3 : 2];
        long[] outShape = in.clone();
        outShape[nchw ? 2 : 1] = h + pad[0] + pad[1];
        outShape[nchw ? 3 : 2] = w + pad[2] + pad[3];
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, input.dataType(), outShape, 'c');
        out.get(at(nchw, span(pad[0], h), span(pad[2], w))).assign(input);

        PaddingKind kind = layerConf().getKind();
        if (kind != PaddingKind.ZERO) {
            for (int c : border(pad[2], w, pad[3])) {
                out.get(at(nchw, span(pad[0], h), span(c, 1)))
                        .assign(out.get(at(nchw, span(pad[0], h), span(pad[2] + kind.source(c - pad[2], w), 1))));
            }
            for (int r : border(pad[0], h, pad[1])) {
                out.get(at(nchw, span(r, 1), NDArrayIndex.all()))
                        .assign(out.get(at(nchw, span(pad[0] + kind.source(r - pad[0], h), 1), NDArrayIndex.all())));
            }
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        boolean nchw = layerConf().getDataFormat() == CNN2DFormat.NCHW;
        int[] pad = layerConf().getPadding();
        int h = (int) input.size(nchw ? 2 : 1);
        int w = (int) input.size(nchw ? 3 : 2);
        PaddingKind kind = layerConf().getKind();
        INDArray eps = epsilon;
        if (kind != PaddingKind.ZERO) {
            eps = workspaceMgr.dup(ArrayType.BP_WORKING_MEM, epsilon, 'c');
            for (int r : border(pad[0], h, pad[1])) {
                eps.get(at(nchw, span(pad[0] + kind.source(r - pad[0], h), 1), NDArrayIndex.all()))
                        .addi(eps.get(at(nchw, span(r, 1), NDArrayIndex.all())));
            }
            for (int c : border(pad[2], w, pad[3])) {
                eps.get(at(nchw, span(pad[0], h), span(pad[2] + kind.source(c - pad[2], w), 1)))
                        .addi(eps.get(at(nchw, span(pad[0], h), span(c, 1))));
            }
        }
        INDArray epsNext = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, eps.get(at(nchw, span(pad[0], h), span(pad[2], w))), 'c');
        return new Pair<>(new DefaultGradient(), backpropDropOutIfPresent(epsNext));
    }

    /** Output positions of the border along one axis: before the image, then after it. */
    private static int[] border(int before, int n, int after) {
        int[] ret = new int[before + after];
        for (int i = 0; i < before; i++) {
            ret[i] = i;
        }
        for (int i = 0; i < after; i++) {
            ret[before + i] = before + n + i;
        }
        return ret;
    }

    private static INDArrayIndex span(int start, int length) {
        return NDArrayIndex.interval(start, start + length);
    }

    private static INDArrayIndex[] at(boolean nchw, INDArrayIndex rows, INDArrayIndex cols) {
        return nchw ? new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), rows, cols}
                : new INDArrayIndex[] {NDArrayIndex.all(), rows, cols, NDArrayIndex.all()};
    }

    private void checkRank(INDArray in) {
        if (in.rank() != 4) {
            throw new IllegalStateException("Padding2D (layer \"" + layerConf().getLayerName() + "\", index " + index
                    + ") expects rank-4 CNN activations " + layerConf().getDataFormat() + ", got shape "
                    + Arrays.toString(in.shape()));
        }
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // No parameters, no noise.
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    @Override
    public Layer clone() {
        return new Padding2DLayer(conf.clone(), dataType);
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0;
    }
}
