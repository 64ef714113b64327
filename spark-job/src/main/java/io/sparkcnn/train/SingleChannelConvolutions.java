package io.sparkcnn.train;

import io.sparkcnn.model.layers.SingleChannelConvHelper;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Puts {@link SingleChannelConvHelper} into the worker's network before every minibatch: DL4J builds a new network
 * on each worker every averaging round, with oneDNN's helpers. Runs inside executor tasks.
 */
final class SingleChannelConvolutions implements TrainingHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork net) {
            SingleChannelConvHelper.install(net);
        }
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
