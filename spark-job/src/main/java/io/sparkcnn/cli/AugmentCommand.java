package io.sparkcnn.cli;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.AugmentPreview;
import io.sparkcnn.data.Augmenter;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.train.AugmentedSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Materializes a fixed augmented training set on the executors and writes it as idx files (to train from in
 * later runs), or, with {@code --preview}, draws originals beside their augmentations as a PNG on the driver.
 */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = {"Augment the training set on the executors into augment.copies versions of every image "
                + "(the original and copies-1 augmented ones) and write them as idx files to --output; train from "
                + "them later with data.train-images/data.train-labels.",
                "With --preview PNG: draw one image of each label beside --versions augmentations, on the driver."})
final class AugmentCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = "--preview", paramLabel = "PNG", description = "write a PNG grid instead of an augmented set")
    String preview;

    @Option(names = "--versions", description = "augmented versions per image in the preview (default: ${DEFAULT-VALUE})")
    int versions = 8;

    @Option(names = "--scale", description = "pixels per image pixel in the preview (default: ${DEFAULT-VALUE})")
    int scale = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        JobConfig cfg = options.load();
        if (preview == null) {
            return materialize(cfg, out);
        }
        LabeledImages train = new DatasetLoader(new Configuration()).load(cfg.data()).train();
        writePng(new Path(preview), AugmentPreview.render(train, new Augmenter(cfg.augment(), train.rows(), train.cols()),
                AugmentPreview.onePerLabel(train), versions, scale));
        out.println("Preview of " + versions + " augmentations per image written to " + preview);
        return ExitCodes.OK;
    }

    private int materialize(JobConfig cfg, PrintWriter out) {
        SparkSession spark = SparkSessions.create(cfg);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            ModelStore store = new ModelStore(sc.hadoopConfiguration());
            store.checkWritable(cfg.output().path(), cfg.output().overwrite());
            LabeledImages train = new DatasetLoader(sc.hadoopConfiguration()).load(cfg.data()).train();
            int partitions = cfg.train().workers() > 0 ? cfg.train().workers() : sc.defaultParallelism();
            long t0 = System.nanoTime();
            LabeledImages set = AugmentedSet.generate(sc, train, cfg.augment(), partitions);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Path dir = store.saveImages(cfg.output().path(), cfg.output().overwrite(), set);
            out.printf(Locale.ROOT, "Augmented %d images x %d versions (%d augmented) in %.1f s on %s (%d partitions): "
                            + "%.0f augmented images/s%n", train.count(), cfg.augment().copies(),
                    (long) train.count() * (cfg.augment().copies() - 1), seconds, sc.master(), partitions,
                    train.count() * (cfg.augment().copies() - 1) / seconds);
            out.println("Written to " + dir + " (" + ModelStore.TRAIN_IMAGES_FILE + ", " + ModelStore.TRAIN_LABELS_FILE + ")");
            return ExitCodes.OK;
        } finally {
            spark.stop();
        }
    }

    private static void writePng(Path path, java.awt.image.BufferedImage image) throws IOException {
        // a private instance: no .crc side file beside the picture, without changing the shared cached one
        try (FileSystem fs = FileSystem.newInstance(path.toUri(), new Configuration())) {
            fs.setWriteChecksum(false);
            try (FSDataOutputStream stream = fs.create(path, true)) {
                if (!ImageIO.write(image, "png", stream)) {
                    throw new IOException("no PNG writer available");
                }
            }
        }
    }
}
