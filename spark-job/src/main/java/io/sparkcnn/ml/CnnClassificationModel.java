package io.sparkcnn.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkcnn.frames.ImageFrames;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.predict.Classifier;
import io.sparkcnn.store.HadoopFiles;
import io.sparkcnn.store.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The fitted {@link CnnClassifier}: a Spark ML {@link Model} whose {@link #transform} adds {@code rawPrediction}
 * (log-probabilities) and {@code probability} (ML {@code Vector}s of the network's softmax) and {@code prediction}
 * (the most probable class, a double) to a DataFrame of images, classified on the executors in minibatches of
 * {@code batchSize} with the network broadcast once; so {@code MulticlassClassificationEvaluator} and a
 * {@code Pipeline} take it as they take Spark's own classifiers.
 *
 * <p>Persistence ({@link MLWritable}, {@link #read()}, {@link #load(String)}) writes {@code metadata/part-00000}
 * (Spark's metadata JSON: class, uid, Spark version, params, plus the job's version and the input contract) and
 * {@code data/model.zip} (DL4J, without updater state) and {@code data/input.json}, through Hadoop's
 * {@code FileSystem} ({@code file://}, {@code hdfs://}); an existing path is refused unless
 * {@code write().overwrite()}.</p>
 */
public final class CnnClassificationModel extends Model<CnnClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** The job version written into every saved model's metadata. */
    public static final String JOB_VERSION = "spark-cnn-trainer 0.1.0";

    private final String uid;
    private final transient MultiLayerNetwork network;
    private final byte[] networkBytes;
    private final InputContract input;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final DoubleParam pixelMax;
    private final IntParam batchSize;

    CnnClassificationModel(String uid, MultiLayerNetwork network, InputContract input) {
        this(uid, network, serialize(network), input);
    }

    /** A model around a network the job trained and stored, e.g. one that {@code predict} loads. */
    public static CnnClassificationModel of(MultiLayerNetwork network, InputContract input) {
        input.check(network);
        return new CnnClassificationModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("cnnModel"), network, input);
    }

    private CnnClassificationModel(String uid, MultiLayerNetwork network, byte[] networkBytes, InputContract input) {
        this.uid = uid;
        this.network = network;
        this.networkBytes = networkBytes;
        this.input = input;
        featuresCol = new Param<>(this, "featuresCol", "image column: binary, array of numbers or ML Vector");
        predictionCol = new Param<>(this, "predictionCol", "output column of the most probable class");
        probabilityCol = new Param<>(this, "probabilityCol", "output column of the class probabilities");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "output column of the log-probabilities");
        pixelMax = new DoubleParam(this, "pixelMax", "the value of full ink in a numeric features column (255 or 1)");
        batchSize = new IntParam(this, "batchSize", "images per forward pass on an executor");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(pixelMax, (Object) 255.0);
        setDefault(batchSize, (Object) 256);
    }

    private static byte[] serialize(MultiLayerNetwork network) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the network", e);
        }
        return bytes.toByteArray();
    }

    private static MultiLayerNetwork restore(byte[] bytes) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the network", e);
        }
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The trained network (the driver's copy). */
    public MultiLayerNetwork network() {
        return network;
    }

    /** What the network takes and gives. */
    public InputContract input() {
        return input;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public DoubleParam pixelMax() {
        return pixelMax;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public CnnClassificationModel setFeaturesCol(String value) {
        return (CnnClassificationModel) set(featuresCol, value);
    }

    public CnnClassificationModel setPredictionCol(String value) {
        return (CnnClassificationModel) set(predictionCol, value);
    }

    public CnnClassificationModel setProbabilityCol(String value) {
        return (CnnClassificationModel) set(probabilityCol, value);
    }

    public CnnClassificationModel setRawPredictionCol(String value) {
        return (CnnClassificationModel) set(rawPredictionCol, value);
    }

    public CnnClassificationModel setPixelMax(double value) {
        return (CnnClassificationModel) set(pixelMax, value);
    }

    public CnnClassificationModel setBatchSize(int value) {
        return (CnnClassificationModel) set(batchSize, value);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String features = getOrDefault(featuresCol);
        if (!List.of(schema.fieldNames()).contains(features)) {
            throw new IllegalArgumentException("no column '" + features + "' in " + schema.simpleString());
        }
        for (Param<String> out : List.of(rawPredictionCol, probabilityCol, predictionCol)) {
            if (List.of(schema.fieldNames()).contains(getOrDefault(out))) {
                throw new IllegalArgumentException("the output column '" + getOrDefault(out) + "' exists already");
            }
        }
        return schema.add(getOrDefault(rawPredictionCol), new VectorUDT(), false)
                .add(getOrDefault(probabilityCol), new VectorUDT(), false)
                .add(getOrDefault(predictionCol), DataTypes.DoubleType, false);
    }

    /** The rows of {@code dataset} with the three prediction columns added, in the same order. */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        int column = dataset.schema().fieldIndex(getOrDefault(featuresCol));
        double max = (double) getOrDefault(pixelMax);
        int batch = (int) getOrDefault(batchSize);
        InputContract contract = input;
        Broadcast<byte[]> model = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext())
                .broadcast(networkBytes);
        return dataset.toDF().mapPartitions((org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>)
                rows -> classify(rows, new Classifier(restore(model.value()), contract), column, max, batch),
                Encoders.row(out));
    }

    private static Iterator<Row> classify(Iterator<Row> rows, Classifier classifier, int column, double pixelMax,
                                          int batch) {
        int ppi = classifier.input().valuesPerImage();
        List<Row> done = new ArrayList<>();
        List<Row> pending = new ArrayList<>(batch);
        byte[] pixels = new byte[batch * ppi];
        byte[] one = new byte[ppi];
        while (rows.hasNext()) {
            Row row = rows.next();
            String problem = row.isNullAt(column) ? "null" : ImageFrames.pixels(row.get(column), one, pixelMax);
            if (problem != null) {
                throw new IllegalArgumentException("column " + row.schema().fieldNames()[column] + ": expected " + ppi
                        + " pixels in range, found " + problem);
            }
            System.arraycopy(one, 0, pixels, pending.size() * ppi, ppi);
            pending.add(row);
            if (pending.size() == batch || !rows.hasNext()) {
                float[][] probabilities = classifier.probabilities(
                        java.util.Arrays.copyOf(pixels, pending.size() * ppi), pending.size());
                for (int i = 0; i < pending.size(); i++) {
                    done.add(withPrediction(pending.get(i), probabilities[i]));
                }
                pending.clear();
            }
        }
        return done.iterator();
    }

    private static Row withPrediction(Row row, float[] probabilities) {
        double[] p = new double[probabilities.length];
        double[] log = new double[probabilities.length];
        int best = 0;
        for (int c = 0; c < p.length; c++) {
            p[c] = probabilities[c];
            log[c] = Math.log(p[c]);
            best = p[c] > p[best] ? c : best;
        }
        Object[] values = new Object[row.size() + 3];
        for (int i = 0; i < row.size(); i++) {
            values[i] = row.get(i);
        }
        values[row.size()] = Vectors.dense(log);
        values[row.size() + 1] = Vectors.dense(p);
        values[row.size() + 2] = (double) best;
        return RowFactory.create(values);
    }

    @Override
    public CnnClassificationModel copy(ParamMap extra) {
        CnnClassificationModel copy = new CnnClassificationModel(uid, network, networkBytes, input);
        copy.setParent(parent());
        return copyValues(copy, extra);
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** Reads a model saved by {@link #write()}. */
    public static MLReader<CnnClassificationModel> read() {
        return new Reader();
    }

    /** {@code read().load(path)}. */
    public static CnnClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final CnnClassificationModel model;

        Writer(CnnClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode metadata = json.createObjectNode();
            metadata.put("class", CnnClassificationModel.class.getName());
            metadata.put("timestamp", System.currentTimeMillis());
            metadata.put("sparkVersion", sc().version());
            metadata.put("uid", model.uid());
            ObjectNode params = metadata.putObject("paramMap");
            for (Param<String> p : List.of(model.featuresCol, model.predictionCol, model.probabilityCol, model.rawPredictionCol)) {
                params.put(p.name(), model.getOrDefault(p));
            }
            params.put(model.pixelMax.name(), (double) model.getOrDefault(model.pixelMax));
            params.put(model.batchSize.name(), (int) model.getOrDefault(model.batchSize));
            metadata.putObject("defaultParamMap");
            metadata.put("jobVersion", JOB_VERSION);
            metadata.put("saved", Instant.now().toString());
            metadata.set("input", readTree(json, model.input.toJson()));
            Configuration conf = sc().hadoopConfiguration();
            HadoopFiles.write(conf, path + "/metadata/part-00000", (metadata + "\n").getBytes(StandardCharsets.UTF_8),
                    "the model's metadata");
            HadoopFiles.write(conf, path + "/data/model.zip", model.networkBytes, "the network");
            HadoopFiles.write(conf, path + "/data/" + InputContract.FILE, model.input.toJson(), "the input contract");
        }
    }

    private static JsonNode readTree(ObjectMapper json, byte[] bytes) {
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(SparkContext sc, String file) {
        try {
            return HadoopFiles.read(sc.hadoopConfiguration(), file);
        } catch (IOException e) {
            throw new OutputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static final class Reader extends MLReader<CnnClassificationModel> {
        @Override
        public CnnClassificationModel load(String path) {
            JsonNode metadata = readTree(new ObjectMapper(), read(sc(), path + "/metadata/part-00000"));
            if (!CnnClassificationModel.class.getName().equals(metadata.path("class").asText())) {
                throw new IllegalArgumentException(path + ": expected a " + CnnClassificationModel.class.getName()
                        + ", found " + metadata.path("class").asText());
            }
            byte[] bytes = read(sc(), path + "/data/model.zip");
            InputContract input = InputContract.fromJson(read(sc(), path + "/data/" + InputContract.FILE),
                    path + "/data/" + InputContract.FILE);
            MultiLayerNetwork network = restore(bytes);
            input.check(network);
            CnnClassificationModel model = new CnnClassificationModel(metadata.get("uid").asText(), network, bytes, input);
            JsonNode params = metadata.path("paramMap");
            for (Param<String> p : List.of(model.featuresCol, model.predictionCol, model.probabilityCol, model.rawPredictionCol)) {
                if (params.has(p.name())) {
                    model.set(p, params.get(p.name()).asText());
                }
            }
            if (params.has(model.pixelMax.name())) {
                model.set(model.pixelMax, params.get(model.pixelMax.name()).asDouble());
            }
            if (params.has(model.batchSize.name())) {
                model.set(model.batchSize, params.get(model.batchSize.name()).asInt());
            }
            return model;
        }
    }
}
