package io.sparkcnn.ml;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.ImageFrames;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.train.SparkTrainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spark ML {@link Estimator} that trains a convolutional network on a DataFrame of images with the job's own
 * parameter-averaging trainer ({@link SparkTrainer}), on the executors of the DataFrame's session. The features
 * column holds each image as {@code binary} (row-major bytes), an array of numbers or an ML {@code Vector} of
 * {@code imageRows x imageCols} pixel values from 0 to {@code pixelMax}; the label column holds the digit 0-9.
 * The network and the training settings come from the job configuration ({@code configFile}, default the built-in
 * defaults) with the params set here on top, so {@code fit} trains exactly as {@code train} does with the same
 * settings and images in the same order.
 *
 * <pre>{@code
 * CnnClassificationModel model = new CnnClassifier().setFeaturesCol("image").setEpochs(5).fit(train);
 * model.transform(test).select("label", "prediction", "probability");
 * }</pre>
 */
public final class CnnClassifier extends Estimator<CnnClassificationModel> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CnnClassifier.class);
    /** The job's built-in defaults, the params' defaults: read once, not for every copy a Pipeline makes. */
    private static final JobConfig DEFAULTS = ConfigLoader.load(null, List.of());

    private final String uid;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> preset;
    private final Param<String> configFile;
    private final IntParam epochs;
    private final IntParam batchSizePerWorker;
    private final IntParam averagingFrequency;
    private final LongParam seed;
    private final IntParam imageRows;
    private final IntParam imageCols;
    private final DoubleParam pixelMax;

    public CnnClassifier() {
        this(Identifiable$.MODULE$.randomUID("cnnClassifier"));
    }

    public CnnClassifier(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "image column: binary, array of numbers or ML Vector");
        labelCol = new Param<>(this, "labelCol", "label column: the digit 0-9");
        preset = new Param<>(this, "preset", "network: seed-cnn, seed-fc, seed-cnn-same, lecture-best or a network file (*.conf)");
        configFile = new Param<>(this, "configFile", "job configuration (HOCON) for every other setting; empty: defaults");
        epochs = new IntParam(this, "epochs", "passes over the training set");
        batchSizePerWorker = new IntParam(this, "batchSizePerWorker", "minibatch size of each worker");
        averagingFrequency = new IntParam(this, "averagingFrequency", "minibatches each worker fits between averagings");
        seed = new LongParam(this, "seed", "seed of the weights and the minibatch order");
        imageRows = new IntParam(this, "imageRows", "image height in pixels");
        imageCols = new IntParam(this, "imageCols", "image width in pixels");
        pixelMax = new DoubleParam(this, "pixelMax", "the value of full ink in a numeric features column (255 or 1)");
        JobConfig defaults = DEFAULTS;
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(preset, defaults.model().preset());
        setDefault(configFile, "");
        setDefault(epochs, (Object) defaults.train().epochs());
        setDefault(batchSizePerWorker, (Object) defaults.train().batchSizePerWorker());
        setDefault(averagingFrequency, (Object) defaults.train().averagingFrequency());
        setDefault(seed, (Object) defaults.train().seed());
        setDefault(imageRows, (Object) defaults.data().imageRows());
        setDefault(imageCols, (Object) defaults.data().imageCols());
        setDefault(pixelMax, (Object) 255.0);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> preset() {
        return preset;
    }

    public Param<String> configFile() {
        return configFile;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam batchSizePerWorker() {
        return batchSizePerWorker;
    }

    public IntParam averagingFrequency() {
        return averagingFrequency;
    }

    public LongParam seed() {
        return seed;
    }

    public IntParam imageRows() {
        return imageRows;
    }

    public IntParam imageCols() {
        return imageCols;
    }

    public DoubleParam pixelMax() {
        return pixelMax;
    }

    public CnnClassifier setFeaturesCol(String value) {
        return (CnnClassifier) set(featuresCol, value);
    }

    public CnnClassifier setLabelCol(String value) {
        return (CnnClassifier) set(labelCol, value);
    }

    public CnnClassifier setPreset(String value) {
        return (CnnClassifier) set(preset, value);
    }

    public CnnClassifier setConfigFile(String value) {
        return (CnnClassifier) set(configFile, value);
    }

    public CnnClassifier setEpochs(int value) {
        return (CnnClassifier) set(epochs, value);
    }

    public CnnClassifier setBatchSizePerWorker(int value) {
        return (CnnClassifier) set(batchSizePerWorker, value);
    }

    public CnnClassifier setAveragingFrequency(int value) {
        return (CnnClassifier) set(averagingFrequency, value);
    }

    public CnnClassifier setSeed(long value) {
        return (CnnClassifier) set(seed, value);
    }

    public CnnClassifier setImageSize(int rows, int cols) {
        set(imageRows, rows);
        return (CnnClassifier) set(imageCols, cols);
    }

    public CnnClassifier setPixelMax(double value) {
        return (CnnClassifier) set(pixelMax, value);
    }

    /** The job configuration these params describe: the config file (or the defaults) with the params on top. */
    public JobConfig jobConfig() {
        List<String> overrides = new ArrayList<>(List.of("model.preset=" + $(preset), "train.epochs=" + $(epochs),
                "train.batch-size-per-worker=" + $(batchSizePerWorker), "train.averaging-frequency=" + $(averagingFrequency),
                "train.seed=" + $(seed), "data.image-rows=" + $(imageRows), "data.image-cols=" + $(imageCols)));
        String file = $(configFile);
        return NetworkFactory.checkFits(ConfigLoader.load(file.isBlank() ? null : Path.of(file), overrides));
    }

    /** Trains on {@code dataset}'s executors with parameter averaging and returns the model. */
    @Override
    public CnnClassificationModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JobConfig cfg = jobConfig();
        NativeSetup.applyToThisJvm(cfg.natives());
        int rows = cfg.data().imageRows();
        int cols = cfg.data().imageCols();
        LabeledImages images = ImageFrames.read(dataset.toDF(), "the DataFrame of " + uid, $(labelCol), $(featuresCol),
                rows, cols, (double) $(pixelMax));
        LOG.info("{}: {} images of {}x{}, {} for {} epochs", uid, images.count(), rows, cols, cfg.model().name(),
                cfg.train().epochs());
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.build(cfg.model().network(), cfg.train().seed(),
                rows, cols));
        net.init();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        try (SparkTrainer trainer = new SparkTrainer(sc, net, cfg.train(), cfg.augment(), cfg.natives())) {
            for (int epoch = 0; epoch < cfg.train().epochs(); epoch++) {
                trainer.fitEpoch(images, epoch);
            }
            net = trainer.network();
        }
        InputContract contract = InputContract.forTraining(net, rows, cols,
                InputContract.digitLabels(LabeledImages.NUM_CLASSES));
        CnnClassificationModel model = new CnnClassificationModel(uid, net, contract);
        model.setParent(this);
        return copyValues(model, extractParamMap());
    }

    /** The schema must hold the features and label columns; fitting adds nothing to it. */
    @Override
    public StructType transformSchema(StructType schema) {
        for (String column : List.of($(featuresCol), $(labelCol))) {
            if (!List.of(schema.fieldNames()).contains(column)) {
                throw new IllegalArgumentException("no column '" + column + "' in " + schema.simpleString());
            }
        }
        return schema;
    }

    @Override
    public CnnClassifier copy(ParamMap extra) {
        return (CnnClassifier) defaultCopy(extra);
    }
}
