package io.sparkcnn.train;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.LabeledImages;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The second phase of a run: the epochs, from {@link RunState#firstEpoch} on. Each epoch is fitted with a
 * checkpoint every {@code checkpoint.every-rounds} averaging rounds, the frozen layers are put back, the
 * tail average takes the epoch's weights, the history measures the held-out (and a training sample's) accuracy
 * with the clock paused, and a checkpoint is written between epochs.
 */
final class EpochLoop {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private EpochLoop() {
    }

    /** Trains the remaining epochs; sets {@link RunState#speed} to the speed of all of them, evaluation excluded. */
    static void run(RunState run, SparkTrainer trainer) {
        JobConfig cfg = run.cfg;
        LabeledImages train = run.data.train();
        long imagesPerEpoch = (long) train.count()
                * (cfg.augment().enabled() && cfg.augment().mode().equals("fixed") ? cfg.augment().copies() : 1);
        LabeledImages trainSample = cfg.history().enabled() && cfg.history().trainSample() > 0
                ? sample(train, cfg.history().trainSample(), cfg.train().seed()) : null;
        ThroughputMeter meter = new ThroughputMeter(run.sc.sc());
        long imagesTrained = 0;
        try (ProgressReporter progress = ProgressReporter.create(cfg.progress(), cfg.train().epochs(), imagesPerEpoch)) {
            trainer.setProgress(progress);
            progress.start(run.firstEpoch, Math.min(imagesPerEpoch, (long) run.firstBatch * cfg.train().batchSizePerWorker()));
            meter.start();
            for (int epoch = run.firstEpoch; epoch < cfg.train().epochs(); epoch++) {
                imagesTrained += fitEpoch(run, trainer, epoch, progress, meter, trainSample);
                if (cfg.checkpoint().enabled() && epoch + 1 < cfg.train().epochs()) {
                    run.checkpoints.save(trainer.network(), epoch + 1, 0, run.scores, run.history, List.of(),
                            run.average.toBytes(), trainer.outerOptimizer().toBytes());
                }
            }
            run.speed = meter.stop(imagesTrained);
            trainer.setProgress(ProgressReporter.off());
        }
    }

    /** One epoch: fit (with mid-epoch checkpoints), then its line in the history and the log; returns its images. */
    private static long fitEpoch(RunState run, SparkTrainer trainer, int epoch, ProgressReporter progress,
                                 ThroughputMeter meter, LabeledImages trainSample) {
        JobConfig cfg = run.cfg;
        int segment = cfg.checkpoint().enabled() ? cfg.checkpoint().everyRounds() * trainer.workers()
                * trainer.settings().averagingFrequency() : 0;
        TrainingHistory soFar = run.history;
        List<Double> lossesBefore = epoch == run.firstEpoch ? run.resumedRoundLosses : List.of();
        ThroughputMeter epochMeter = new ThroughputMeter(run.sc.sc());
        epochMeter.start();
        long epochImages = trainer.fitEpoch(run.data.train(), epoch, epoch == run.firstEpoch ? run.firstBatch : 0, segment,
                batchesDone -> run.checkpoints.save(trainer.network(), epoch, batchesDone, run.scores, soFar,
                        concat(lossesBefore, trainer.epochRoundLosses()), run.average.toBytes(),
                        trainer.outerOptimizer().toBytes()));
        keepFrozen(trainer.network(), run.frozen);
        run.average.epochDone(epoch + 1, trainer.network());
        Throughput epochSpeed = epochMeter.stop(epochImages);
        run.scores[epoch] = trainer.lastScore();
        List<Double> roundLosses = concat(lossesBefore, trainer.epochRoundLosses());
        double meanLoss = roundLosses.stream().mapToDouble(Double::doubleValue).average().orElse(run.scores[epoch]);
        progress.epochDone(epoch);

        meter.pause();
        Accuracies accuracy = accuracies(run, trainer, epoch, trainSample);
        meter.resume();
        run.history = run.history.with(TrainingHistory.Epoch.of(epoch + 1, meanLoss, roundLosses,
                accuracy.train(), accuracy.heldOut(), epochSpeed));
        LOG.info("Epoch {}/{}: loss {} (last round), {} (mean of {} rounds); training accuracy {}, {} "
                        + "accuracy {}; {} images in {} s, {} images/s", epoch + 1, cfg.train().epochs(),
                decimal(run.scores[epoch]), decimal(meanLoss), roundLosses.size(), decimal(accuracy.train()),
                run.data.heldOutRole(), decimal(accuracy.heldOut()), epochImages,
                String.format(Locale.ROOT, "%.1f", epochSpeed.wallSeconds()),
                String.format(Locale.ROOT, "%.1f", epochSpeed.imagesPerSecond()));
        return epochImages;
    }

    /** The history's accuracies after an epoch, each {@code null} when not measured. */
    private record Accuracies(Double train, Double heldOut) {
    }

    /** Accuracy on the training sample and on the held-out images, measured when {@code history.enabled}. */
    private static Accuracies accuracies(RunState run, SparkTrainer trainer, int epoch, LabeledImages trainSample) {
        Double trainAccuracy = null;
        Double heldOutAccuracy = null;
        if (run.cfg.history().enabled()) {
            if (trainSample != null) {
                trainAccuracy = trainer.evaluate(trainSample, String.format(Locale.ROOT,
                        "training accuracy after epoch %d (%,d sampled images)", epoch + 1,
                        trainSample.count())).accuracy();
            }
            LabeledImages test = run.data.test();
            heldOutAccuracy = trainer.evaluate(test, String.format(Locale.ROOT,
                    "%s accuracy after epoch %d (%,d images)", run.data.heldOutRole(), epoch + 1,
                    test.count())).accuracy();
        }
        return new Accuracies(trainAccuracy, heldOutAccuracy);
    }

    /**
     * A fixed random sample of {@code n} training images (all of them when there are fewer), drawn with
     * {@code seed}, on which the history measures the training accuracy after every epoch.
     */
    static LabeledImages sample(LabeledImages train, int n, long seed) {
        if (n >= train.count()) {
            return train;
        }
        int[] chosen = LabeledImages.batchIndices(train.count(), n, seed).get(0).clone();
        Arrays.sort(chosen);
        return train.select(chosen, n + " sampled images of " + train.source());
    }

    /**
     * Frozen layers get no updates, but averaging n equal copies can round the last bit when n is not a power of
     * two; put the pretrained values back so the frozen weights stay bit-identical.
     */
    static void keepFrozen(MultiLayerNetwork net, Map<Integer, INDArray> frozen) {
        frozen.forEach((i, params) -> {
            if (!net.getLayer(i).params().equals(params)) {
                LOG.debug("Restoring frozen layer {} after averaging rounding", i);
                net.getLayer(i).setParams(params.dup());
            }
        });
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        List<Double> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String decimal(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
