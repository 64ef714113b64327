package io.sparkcnn.train;

import io.sparkcnn.common.Seeds;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reseeds ND4J's random generator of the worker thread before every minibatch with a function of
 * {@code (seed, minibatch contents)}, so dropout masks depend on what is trained, not on how many minibatches
 * the thread happened to fit before. A run resumed from a checkpoint therefore draws the masks the killed run
 * would have drawn, and no random state needs saving. Runs inside executor tasks.
 */
final class SeededDropout extends BeforeMinibatchHook {
    private static final long serialVersionUID = 1L;

    private final long seed;

    /** @param seed mixed into every minibatch's seed; the trainer passes {@code seed + epoch} */
    SeededDropout(long seed) {
        this.seed = seed;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        long labels = minibatch.getLabels().argMax(1).castTo(org.nd4j.linalg.api.buffer.DataType.LONG)
                .mul(31).sumNumber().longValue();
        long pixels = Double.doubleToLongBits(minibatch.getFeatures().sumNumber().doubleValue());
        Nd4j.getRandom().setSeed(Seeds.mix(Seeds.mix(seed) ^ labels) ^ pixels);
    }
}
