package io.sparkcnn.data;

import io.sparkcnn.config.DataConfig;
import io.sparkcnn.config.InvalidConfigException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.zip.ZipException;

/**
 * Loads and validates the training and test sets named by a {@link DataConfig}, through Hadoop's
 * {@link FileSystem} so that {@code file://} and {@code hdfs://} inputs behave the same. Runs on the driver,
 * before any Spark job: bad input fails here with an {@link InvalidDataException}.
 */
public final class DatasetLoader {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);

    private final Configuration hadoopConf;

    public DatasetLoader(Configuration hadoopConf) {
        this.hadoopConf = hadoopConf;
    }

    /**
     * A training set and a held-out set that training never sees.
     *
     * @param validation true when the held-out set was split off the training file (a validation set, as in
     *                   the lecture's CSV example) rather than read from a test file
     */
    public record TrainTest(LabeledImages train, LabeledImages test, boolean validation) {
        /** "validation" or "test", for reports. */
        public String heldOutRole() {
            return validation ? "validation" : "test";
        }
    }

    /** The training and held-out sets of an {@code idx} or {@code csv} configuration. */
    public TrainTest load(DataConfig cfg) {
        return switch (cfg.format()) {
            case "idx" -> split(idx(cfg.trainImages(), cfg.trainLabels(), cfg.imageRows(), cfg.imageCols()),
                    cfg.validation() ? null : idx(cfg.testImages(), cfg.testLabels(), cfg.imageRows(), cfg.imageCols()), cfg);
            case "csv" -> split(csvFile(cfg.trainCsv(), cfg.imageRows(), cfg.imageCols()), cfg.testCsv().isBlank()
                    ? null : csvFile(cfg.testCsv(), cfg.imageRows(), cfg.imageCols()), cfg);
            default -> throw new InvalidConfigException(List.of("data.format = " + cfg.format() + " is read by Spark's "
                    + "executors; this command reads only idx and csv on its own"));
        };
    }

    /**
     * A training set and, when {@code test} is null or {@code data.validation} is set, a held-out share of it
     * ({@code data.holdout-fraction}), with
     * {@code data.labels} and the limits applied: the common end of every format's loading.
     */
    public static TrainTest split(LabeledImages train, LabeledImages test, DataConfig cfg) {
        if (test != null && !cfg.validation()) {
            return limited(new TrainTest(train, test, false), cfg);
        }
        LabeledImages.Split split = train.holdOut(cfg.holdoutFraction(), cfg.splitSeed());
        return limited(new TrainTest(split.train(), split.test(), true), cfg);
    }

    private static TrainTest limited(TrainTest data, DataConfig cfg) {
        TrainTest limited = new TrainTest(data.train().withLabels(cfg.labels()).limit(cfg.trainLimit()),
                data.test().withLabels(cfg.labels()).limit(cfg.testLimit()), data.validation());
        LOG.info("Training set: {} images of {}x{} from {}", limited.train().count(), limited.train().rows(),
                limited.train().cols(), limited.train().source());
        LOG.info("{} set: {} images from {}", limited.validation() ? "Validation" : "Test", limited.test().count(),
                limited.test().source());
        return limited;
    }

    /** Reads one idx image file and its label file and checks that they describe the same number of items. */
    public LabeledImages idx(String imagesPath, String labelsPath, int rows, int cols) {
        Path images = new Path(imagesPath);
        Path labels = new Path(labelsPath);
        IdxReader.Images img = read(images, in -> IdxReader.readImages(in, imagesPath, rows, cols));
        byte[] lab = read(labels, in -> IdxReader.readLabels(in, labelsPath));
        if (lab.length != img.count()) {
            throw new InvalidDataException(labelsPath, "offset 4", img.count() + " labels, one per image in "
                    + imagesPath, lab.length + " labels");
        }
        return new LabeledImages(imagesPath, img.rows(), img.cols(), img.pixels(), lab);
    }

    public LabeledImages csvFile(String path, int rows, int cols) {
        return read(new Path(path), in -> CsvImageReader.read(in, path, rows, cols));
    }

    private <T> T read(Path path, Parser<T> parser) {
        try {
            FileSystem fs = path.getFileSystem(hadoopConf);
            try (InputStream in = fs.open(path)) {
                return parser.parse(in);
            }
        } catch (FileNotFoundException e) {
            throw new InvalidDataException(path.toString(), "file", "an existing readable file",
                    "no such file (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new InvalidDataException(path.toString(), "file", "complete gzip data", "a truncated gzip stream", e);
        } catch (ZipException e) {
            throw new InvalidDataException(path.toString(), "file", "valid gzip data", "corrupt gzip (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidDataException(path.toString(), "file", "a readable file", e.toString(), e);
        }
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(InputStream in) throws IOException;
    }
}
