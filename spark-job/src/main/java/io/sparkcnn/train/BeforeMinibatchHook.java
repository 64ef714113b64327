package io.sparkcnn.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A DL4J training hook that acts only before each {@link DataSet} minibatch a worker fits (the job trains
 * {@code MultiLayerNetwork}s on {@code DataSet}s only). Runs inside executor tasks.
 */
abstract class BeforeMinibatchHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    @Override
    public abstract void preUpdate(DataSet minibatch, Model model);

    @Override
    public final void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public final void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public final void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
