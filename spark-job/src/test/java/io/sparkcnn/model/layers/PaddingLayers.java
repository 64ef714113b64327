package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helper: one configured layer, run on its own in double precision without workspaces. */
final class PaddingLayers {
    private PaddingLayers() {
    }

    static Layer instantiate(org.deeplearning4j.nn.conf.layers.Layer layerConf) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).layer(layerConf).build();
        return conf.getLayer().instantiate(conf, null, 0, null, true, DataType.DOUBLE);
    }

    static INDArray forward(org.deeplearning4j.nn.conf.layers.Layer layerConf, INDArray input) {
        return instantiate(layerConf).activate(input, false, LayerWorkspaceMgr.noWorkspaces());
    }

    /** dL/dinput for L = sum(outputGradient * forward(input)). */
    static INDArray backward(org.deeplearning4j.nn.conf.layers.Layer layerConf, INDArray input, INDArray outputGradient) {
        Layer layer = instantiate(layerConf);
        layer.activate(input, true, LayerWorkspaceMgr.noWorkspaces());
        return layer.backpropGradient(outputGradient, LayerWorkspaceMgr.noWorkspaces()).getSecond();
    }
}
