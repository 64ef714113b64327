package io.sparkcnn.data;

import io.sparkcnn.config.DataConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
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

    public TrainTest load(DataConfig cfg) {
        TrainTest data = switch (cfg.format()) {
            case "idx" -> new TrainTest(
                    idx(cfg.trainImages(), cfg.trainLabels(), cfg.imageRows(), cfg.imageCols()),
                    idx(cfg.testImages(), cfg.testLabels(), cfg.imageRows(), cfg.imageCols()), false);
            case "csv" -> csv(cfg);
            default -> throw new IllegalArgumentException("unknown data format " + cfg.format());
        };
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

    private TrainTest csv(DataConfig cfg) {
        LabeledImages train = csvFile(cfg.trainCsv(), cfg.imageRows(), cfg.imageCols());
        if (!cfg.testCsv().isBlank()) {
            return new TrainTest(train, csvFile(cfg.testCsv(), cfg.imageRows(), cfg.imageCols()), false);
        }
        LabeledImages.Split split = train.holdOut(cfg.holdoutFraction(), cfg.splitSeed());
        return new TrainTest(split.train(), split.test(), true);
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
