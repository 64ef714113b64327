package io.sparkcnn.bench;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.DataSources;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.train.SparkTrainer;
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
 * clock stops while the network is evaluated on the held-out set.
 *
 * <p>Evaluating splits each epoch into segments, and each segment's minibatches are dealt to the workers with a
 * seed of its own (as a resumed run's are): the run trains as {@code train} does up to that dealing.</p>
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
        try (SparkTrainer trainer = new SparkTrainer(sc, net, cfg.train(), cfg.augment())) {
            int round = trainer.workers() * trainer.settings().averagingFrequency();
            int batch = cfg.train().batchSizePerWorker();
            int segment = Math.max(1, (int) Math.round(evalEveryImages / (double) batch / round)) * round;
            LOG.info("Time to {}: evaluating every {} minibatches of {} ({} images), {} workers", target, segment,
                    batch, (long) segment * batch, trainer.workers());
            long[] images = {0};
            double[] seconds = {0};
            long[] resumed = {System.nanoTime()};
            try {
                for (int epoch = 0; epoch < cfg.train().epochs(); epoch++) {
                    int e = epoch;
                    int batches = (train.count() + batch - 1) / batch;
                    long before = images[0];
                    long fitted = trainer.fitEpoch(train, epoch, 0, segment, done -> {
                        long sofar = before + Math.min(train.count(), (long) done * batch);
                        evaluate(trainer, test, points, e + done / (double) batches, sofar, seconds, resumed, target);
                    });
                    images[0] = before + fitted;
                    evaluate(trainer, test, points, epoch + 1, images[0], seconds, resumed, target);
                }
            } catch (Reached reached) {
                LOG.info("Reached {} after {} s of training", target, String.format(Locale.ROOT, "%.1f",
                        points.get(points.size() - 1).trainSeconds()));
            }
        }
        Point reached = points.stream().filter(p -> p.accuracy() >= target).findFirst().orElse(null);
        return new Result(target, evalEveryImages, points, reached);
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
