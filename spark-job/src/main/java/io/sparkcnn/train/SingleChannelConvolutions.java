package io.sparkcnn.train;

import io.sparkcnn.model.layers.SingleChannelConvHelper;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Puts {@link SingleChannelConvHelper} into the worker's network before every minibatch: DL4J builds a new network
 * on each worker every averaging round, with oneDNN's helpers. Runs inside executor tasks.
 */
final class SingleChannelConvolutions extends BeforeMinibatchHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork net) {
            SingleChannelConvHelper.install(net);
        }
    }
}
