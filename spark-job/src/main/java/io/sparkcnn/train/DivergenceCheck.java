package io.sparkcnn.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;

/**
 * Stops training as soon as the minibatch loss is NaN or infinite on any worker: the task fails, Spark
 * fails the job, and the driver reports a training failure instead of averaging NaNs into the model.
 */
public final class DivergenceCheck extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        double score = model.score();
        if (Double.isNaN(score) || Double.isInfinite(score)) {
            throw new IllegalStateException("training diverged: loss is " + score + " at iteration " + iteration
                    + " (lower the learning rate or check the input scaling)");
        }
    }
}
