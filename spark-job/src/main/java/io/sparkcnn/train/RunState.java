package io.sparkcnn.train;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.model.ModelSummary;
import io.sparkcnn.model.TransferLearning;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One training run as its three phases see it, the one object passed from phase to phase. The final fields are
 * what the run was given; the others are what the phases have made so far:
 * <ol>
 *   <li>{@link StartPhase} sets the starting network (fresh, resumed from a checkpoint, warm or transferred) and,
 *       on resume, the epochs, losses, history and averaging state already done;</li>
 *   <li>{@link EpochLoop} advances {@link #scores}, {@link #history} and {@link #average} epoch by epoch and
 *       sets {@link #speed};</li>
 *   <li>{@link FinishPhase} reads them to average, evaluate, save or publish, and make the {@link TrainResult}.</li>
 * </ol>
 */
final class RunState {
    final JobConfig cfg;
    final JavaSparkContext sc;
    final ModelStore store;
    /** The registry the run publishes into, or {@code null} when it writes {@code output.path} itself. */
    final ModelRegistry registry;
    final Instant started;
    final DatasetLoader.TrainTest data;
    final Checkpoints checkpoints;

    /** The network training starts from, and which of its layers are frozen. */
    TransferLearning.Start start;
    ModelSummary summary;
    /** The frozen layers' parameters at the start, put back after every epoch (see {@link EpochLoop}). */
    Map<Integer, INDArray> frozen;
    /** The first epoch to train (0-based) and the minibatches of it already done (a mid-epoch checkpoint). */
    int firstEpoch;
    int firstBatch;
    /** The outer optimizer's state from a checkpoint, or {@code null}. */
    byte[] resumedOuter;
    /** The averaging rounds' losses of the first epoch before a mid-epoch checkpoint. */
    List<Double> resumedRoundLosses = List.of();
    /** Training loss at the end of each epoch (last averaging round); zeros for epochs not yet done. */
    final double[] scores;
    TrainingHistory history;
    final TailAverage average;
    /** Speed of all the epochs this run trained, evaluation excluded; set by the epoch loop. */
    Throughput speed;

    RunState(JobConfig cfg, JavaSparkContext sc, ModelStore store, ModelRegistry registry, Instant started,
             DatasetLoader.TrainTest data, Checkpoints checkpoints) {
        this.cfg = cfg;
        this.sc = sc;
        this.store = store;
        this.registry = registry;
        this.started = started;
        this.data = data;
        this.checkpoints = checkpoints;
        this.scores = new double[cfg.train().epochs()];
        this.history = TrainingHistory.empty(data.heldOutRole());
        this.average = new TailAverage(cfg.train().epochs(), cfg.train().averageLastEpochs());
    }
}
