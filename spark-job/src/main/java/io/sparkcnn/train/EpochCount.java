package io.sparkcnn.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Gives the worker's network the driver's epoch count before every minibatch: DL4J's worker builds its network with
 * epoch count 0 every averaging round, and its epoch schedules of the learning rate
 * ({@code model.network.updater.schedule}) read the count there. Runs inside executor tasks.
 */
final class EpochCount extends BeforeMinibatchHook {
    private static final long serialVersionUID = 1L;
    private final int epoch;

    /** @param epoch the epoch being trained, from 0 in this run */
    EpochCount(int epoch) {
        this.epoch = epoch;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork net) {
            net.getLayerWiseConfigurations().setEpochCount(epoch);
        }
    }
}
