package io.sparkcnn.predict;

import io.sparkcnn.data.CsvImageReader;
import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.PngImageReader;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.train.TrainingFailedException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Classifies many inputs as a Spark batch job: the serialized network (without updater state) is broadcast once,
 * every task restores it and classifies its partition in minibatches with a {@link Classifier}, reading its
 * inputs itself through Hadoop's {@code FileSystem} (so {@code hdfs://} inputs are read where the task runs),
 * and the driver collects the probabilities in input order.
 *
 * <p>PNG files are cut into minibatches on the driver and each minibatch is one unit of work, so the
 * minibatches, and therefore the probabilities, are the same as {@link LocalPredictor}'s for the same batch
 * size. A CSV is read by the executors as a text file split into partitions; its minibatches are cut within
 * each partition. A bad input fails the job with the input's {@link InvalidDataException}; any other task
 * failure becomes a {@link TrainingFailedException}.</p>
 */
public final class SparkPredictor {
    private static final Logger LOG = LoggerFactory.getLogger(SparkPredictor.class);

    private final JavaSparkContext sc;
    private final InputContract input;
    private final int batchSize;
    private final byte[] model;

    /**
     * @param input     what {@code net} takes and gives (each task's {@link Classifier} checks it against the network)
     * @param batchSize images per forward pass, at least 1
     */
    public SparkPredictor(JavaSparkContext sc, MultiLayerNetwork net, InputContract input, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.sc = sc;
        this.input = input;
        this.batchSize = batchSize;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the model for the executors", e);
        }
        this.model = bytes.toByteArray();
    }

    /** Classifies the PNG files at {@code paths}, in that order. */
    public List<Prediction> pngs(List<String> paths, PngImageReader.Options options) {
        List<ArrayList<String>> batches = new ArrayList<>();
        for (int start = 0; start < paths.size(); start += batchSize) {
            batches.add(new ArrayList<>(paths.subList(start, Math.min(paths.size(), start + batchSize))));
        }
        if (batches.isEmpty()) {
            return List.of();
        }
        int slices = Math.min(batches.size(), sc.defaultParallelism());
        Broadcast<byte[]> modelBytes = sc.broadcast(model);
        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration()));
        int ppi = input.valuesPerImage();
        InputContract contract = input;
        try {
            LOG.info("Classifying {} PNG files in {} minibatches of up to {} on {} partitions", paths.size(),
                    batches.size(), batchSize, slices);
            List<Row> classified = run(() -> sc.parallelize(batches, slices).mapPartitions(part -> {
                Classifier classifier = new Classifier(restore(modelBytes.value()), contract);
                List<Row> out = new ArrayList<>();
                while (part.hasNext()) {
                    List<String> batch = part.next();
                    byte[] pixels = new byte[batch.size() * ppi];
                    boolean[] inverted = new boolean[batch.size()];
                    for (int i = 0; i < batch.size(); i++) {
                        PngImageReader.Image image = Inputs.png(conf.value().value(), batch.get(i), options);
                        System.arraycopy(image.pixels(), 0, pixels, i * ppi, ppi);
                        inverted[i] = image.inverted();
                    }
                    float[][] probabilities = classifier.probabilities(pixels, batch.size());
                    for (int i = 0; i < batch.size(); i++) {
                        out.add(new Row(-1, -1, inverted[i], probabilities[i]));
                    }
                }
                return out.iterator();
            }).collect());
            List<Prediction> predictions = new ArrayList<>(paths.size());
            for (int i = 0; i < paths.size(); i++) {
                Row r = classified.get(i);
                predictions.add(new Prediction(paths.get(i), r.probabilities, -1, r.inverted));
            }
            return predictions;
        } finally {
            modelBytes.destroy();
            conf.destroy();
        }
    }

    /**
     * Classifies every row of the CSV at {@code path} (header row checked on the driver; rows parsed and
     * checked by the executors; blank lines skipped).
     */
    public List<Prediction> csv(String path) {
        CsvImageReader.Header header = Inputs.csvHeader(sc.hadoopConfiguration(), path, input.height(), input.width());
        Broadcast<byte[]> modelBytes = sc.broadcast(model);
        int batch = batchSize;
        InputContract contract = input;
        try {
            List<Row> rows = run(() -> sc.textFile(path, sc.defaultParallelism()).zipWithIndex()
                    .filter(line -> line._2() > 0 && !line._1().isBlank())
                    .mapPartitions(part -> classifyRows(part, header, path, modelBytes, contract, batch)).collect());
            if (rows.isEmpty()) {
                throw new InvalidDataException(path, "line 2", "at least one image row", "end of file");
            }
            LOG.info("Classified {} CSV rows of {}", rows.size(), path);
            return rows.stream().map(r -> new Prediction(Inputs.csvRow(r.row), r.probabilities, r.actual, null)).toList();
        } finally {
            modelBytes.destroy();
        }
    }

    private static Iterator<Row> classifyRows(Iterator<scala.Tuple2<String, Long>> part, CsvImageReader.Header header,
                                              String path, Broadcast<byte[]> modelBytes, InputContract contract,
                                              int batchSize) throws IOException {
        if (!part.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        Classifier classifier = new Classifier(restore(modelBytes.value()), contract);
        int ppi = contract.valuesPerImage();
        List<Row> out = new ArrayList<>();
        byte[] row = new byte[ppi];
        List<Row> pending = new ArrayList<>(batchSize);
        byte[] pixels = new byte[batchSize * ppi];
        while (part.hasNext()) {
            scala.Tuple2<String, Long> line = part.next();
            int actual = CsvImageReader.parseRow(line._1(), line._2() + 1, path, header, row);
            System.arraycopy(row, 0, pixels, pending.size() * ppi, ppi);
            pending.add(new Row(line._2(), actual, false, null));
            if (pending.size() == batchSize || !part.hasNext()) {
                float[][] p = classifier.probabilities(Arrays.copyOf(pixels, pending.size() * ppi), pending.size());
                for (int i = 0; i < pending.size(); i++) {
                    out.add(new Row(pending.get(i).row, pending.get(i).actual, false, p[i]));
                }
                pending.clear();
            }
        }
        return out.iterator();
    }

    private static MultiLayerNetwork restore(byte[] model) throws IOException {
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), false);
    }

    /** Runs a Spark action; a bad input inside a task comes back as that input's exception. */
    private static <T> T run(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (InvalidDataException e) {
            throw e;
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InvalidDataException bad) {
                    throw bad;
                }
            }
            throw new TrainingFailedException("prediction failed: " + e.getMessage(), e);
        }
    }

    /**
     * One classified input: a CSV row (its index and label) or a PNG (whether it was inverted); a plain class, as
     * Spark's Kryo cannot build records.
     */
    static final class Row implements Serializable {
        private static final long serialVersionUID = 1L;
        final long row;
        final int actual;
        final boolean inverted;
        final float[] probabilities;

        Row(long row, int actual, boolean inverted, float[] probabilities) {
            this.row = row;
            this.actual = actual;
            this.inverted = inverted;
            this.probabilities = probabilities;
        }
    }
}
