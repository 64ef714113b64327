package io.sparkcnn.bench;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.DataSources;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.train.SparkTrainer;
import io.sparkcnn.train.TrainingFailedException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Time to accuracy in the manner of MLPerf's time-to-train: the wall time of training, evaluation excluded, until
 * the held-out accuracy first reaches a target. The job's configuration trains as {@code train} does, and every
 * {@code evalEveryImages} training images (rounded to whole averaging rounds) and at the end of every epoch the
 * clock stops while the network is evaluated on the held-out set: after the first averaging round past every
 * {@code evalEveryImages} images ({@link SparkTrainer.RoundListener}), and at every epoch's end. The epochs are
 * fitted as {@code train} fits them, so the run trains exactly as {@code train} does.
 */
public final class TimeToAccuracy {
    private static final Logger LOG = LoggerFactory.getLogger(TimeToAccuracy.class);

    private TimeToAccuracy() {
    }

    /** One evaluation: after how many epochs (fractional), images and seconds of training, and the accuracy. */
    public record Point(double epochs, long images, double trainSeconds, double accuracy) {
    }

    /**
     * What the run measured.
     *
     * @param reached the first point at or above {@code target}, or {@code null} when no epoch reached it
     */
    public record Result(double target, long evalEveryImages, List<Point> points, Point reached) {
        /** The machine-readable summary line, as the peers print theirs. */
        public String resultLine() {
            return reached == null
                    ? String.format(Locale.ROOT, "RESULT time-to-accuracy target=%.4f not reached after %.2f epochs "
                    + "(%.1f s of training, best %.4f)", target, last().epochs(), last().trainSeconds(), best())
                    : String.format(Locale.ROOT, "RESULT time-to-accuracy target=%.4f reached=%.4f seconds=%.1f "
                    + "epochs=%.2f images=%d", target, reached.accuracy(), reached.trainSeconds(), reached.epochs(),
                    reached.images());
        }

        private Point last() {
            return points.get(points.size() - 1);
        }

        private double best() {
            return points.stream().mapToDouble(Point::accuracy).max().orElse(0);
        }
    }

    /** Stops the epoch loop once the target is reached. */
    private static final class Reached extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Reached() {
            super(null, null, false, false);
        }
    }

    /**
     * Trains {@code cfg} for up to {@code train.epochs} epochs on {@code spark}'s executors, evaluating every
     * {@code evalEveryImages} images, until the held-out accuracy reaches {@code target}.
     */
    public static Result run(SparkSession spark, JobConfig cfg, double target, long evalEveryImages) {
        NativeSetup.applyToThisJvm(cfg.natives());
        DatasetLoader.TrainTest data = DataSources.load(spark, cfg.data());
        LabeledImages train = data.train();
        LabeledImages test = data.test();
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.build(cfg.model().network(), cfg.train().seed(),
                train.rows(), train.cols()));
        net.init();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Point> points = new ArrayList<>();
        try (SparkTrainer trainer = new SparkTrainer(sc, net, cfg.train(), cfg.augment(), cfg.natives())) {
            LOG.info("Time to {}: evaluating after the first averaging round past every {} images, {} workers",
                    target, evalEveryImages, trainer.workers());
            long[] done = {0};
            long[] nextEval = {evalEveryImages};
            double[] seconds = {0};
            long[] resumed = {System.nanoTime()};
            int epochs = cfg.train().epochs();
            trainer.setRoundListener((epoch, epochImages) -> {
                long sofar = done[0] + epochImages;
                if (sofar >= nextEval[0] && epochImages < train.count()) {
                    nextEval[0] = (sofar / evalEveryImages + 1) * evalEveryImages;
                    evaluate(trainer, test, points, epoch + epochImages / (double) train.count(), sofar, seconds,
                            resumed, target);
                }
            });
            try {
                for (int epoch = 0; epoch < epochs; epoch++) {
                    done[0] += trainer.fitEpoch(train, epoch);
                    nextEval[0] = Math.max(nextEval[0], done[0] + evalEveryImages);
                    evaluate(trainer, test, points, epoch + 1, done[0], seconds, resumed, target);
                }
            } catch (Reached reached) {
                LOG.info("Reached {} after {} s of training", target, decimal(points.get(points.size() - 1).trainSeconds()));
            } catch (TrainingFailedException e) {
                if (!(e.getCause() instanceof Reached)) {
                    throw e;
                }
                LOG.info("Reached {} after {} s of training", target, decimal(points.get(points.size() - 1).trainSeconds()));
            }
        }
        Point reached = points.stream().filter(p -> p.accuracy() >= target).findFirst().orElse(null);
        return new Result(target, evalEveryImages, points, reached);
    }

    private static String decimal(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static void evaluate(SparkTrainer trainer, LabeledImages test, List<Point> points, double epochs,
                                 long images, double[] seconds, long[] resumed, double target) {
        seconds[0] += (System.nanoTime() - resumed[0]) / 1e9;
        double accuracy = trainer.evaluate(test, String.format(Locale.ROOT, "time to accuracy: after %.2f epochs",
                epochs)).accuracy();
        Point point = new Point(epochs, images, seconds[0], accuracy);
        points.add(point);
        LOG.info("Time to {}: {} epochs, {} images, {} s of training: accuracy {}", target,
                String.format(Locale.ROOT, "%.2f", epochs), images, String.format(Locale.ROOT, "%.1f", seconds[0]),
                String.format(Locale.ROOT, "%.4f", accuracy));
        resumed[0] = System.nanoTime();
        if (accuracy >= target) {
            throw new Reached();
        }
    }

    /** A table of every evaluation, and the result line. */
    public static String table(Result result) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%8s %10s %12s %9s%n", "epochs", "images",
                "train s", "accuracy"));
        for (Point p : result.points()) {
            out.append(String.format(Locale.ROOT, "%8.2f %10d %12.1f %9.4f%n", p.epochs(), p.images(),
                    p.trainSeconds(), p.accuracy()));
        }
        return out.append(result.resultLine()).append('\n').toString();
    }
}
