package io.sparkcnn.train;

import io.sparkcnn.config.AugmentConfig;
import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.config.TrainConfig;
import io.sparkcnn.data.Augmenter;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * Synchronous data-parallel training with DL4J's {@link ParameterAveragingTrainingMaster}: each worker fits
 * {@code averagingFrequency} minibatches of {@code batchSizePerWorker} from its share of the data, then the
 * driver averages parameters and updater state (saveUpdater on, so Adam's and AdaDelta's moments survive
 * averaging) and broadcasts them for the next round. Each image set is broadcast to the executors once, as
 * bytes ({@link ImageBatch}); every epoch then ships only the image indices of its minibatches, in
 * {@code workers} balanced partitions, and the executors cut the minibatches and turn them into floats.
 *
 * <p>Not thread-safe; one instance trains one network. {@link #close()} deletes the exported minibatches.</p>
 */
public final class SparkTrainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    private final JavaSparkContext sc;
    private final TrainConfig cfg;
    private final AugmentConfig augment;
    private final LongAccumulator augmentedInTasks;
    private final int workers;
    private final Path exportDir;
    private ParameterAveragingTrainingMaster master;
    private SparkDl4jMultiLayer sparkNet;
    private final Map<LabeledImages, Broadcast<ImageBatch>> broadcasts = new IdentityHashMap<>();

    /**
     * @param network initialized; its parameters are the starting point and it becomes the driver's copy
     * @param augment augmentation of the training images, done by the executors as they cut minibatches
     */
    public SparkTrainer(JavaSparkContext sc, MultiLayerNetwork network, TrainConfig cfg, AugmentConfig augment) {
        this.sc = sc;
        this.cfg = cfg;
        this.augment = augment;
        this.augmentedInTasks = sc.sc().longAccumulator("images augmented in tasks");
        this.workers = cfg.workers() > 0 ? cfg.workers() : sc.defaultParallelism();
        requireSharedFileSystem(sc);
        this.exportDir = exportDirectory(sc, cfg);
        this.master = master(cfg.seed());
        this.sparkNet = new SparkDl4jMultiLayer(sc, network, master);
    }

    /**
     * A training master whose split of the minibatches into averaging rounds is drawn with {@code splitSeed},
     * and whose workers draw dropout masks from {@code splitSeed} and each minibatch's contents.
     */
    private ParameterAveragingTrainingMaster master(long splitSeed) {
        ParameterAveragingTrainingMaster m = new ParameterAveragingTrainingMaster.Builder(workers, cfg.batchSizePerWorker())
                .batchSizePerWorker(cfg.batchSizePerWorker())
                .averagingFrequency(cfg.averagingFrequency())
                .workerPrefetchNumBatches(cfg.prefetchBatches())
                .saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Export)
                .exportDirectory(exportDir.toString())
                .rngSeed(splitSeed)
                .trainingHooks(List.of(new SeededDropout(splitSeed)))
                .build();
        m.setListeners(List.of(new DivergenceCheck()));
        return m;
    }

    /**
     * DL4J's master draws the rounds of each fit from one random stream, so epoch e's rounds would depend on
     * how many fits this process made before; a master per fit, seeded from the epoch and the first minibatch
     * of the fit, makes them a function of the data position alone, as a resumed run needs.
     */
    private void startFit(int epoch, int firstBatch) {
        MultiLayerNetwork net = sparkNet.getNetwork();
        master.deleteTempFiles(sc);
        master = master(cfg.seed() + epoch + ((long) firstBatch << 32));
        sparkNet = new SparkDl4jMultiLayer(sc, net, master);
    }

    /** The network being trained: the driver's copy, holding the averaged parameters after each fit. */
    public MultiLayerNetwork network() {
        return sparkNet.getNetwork();
    }

    public int workers() {
        return workers;
    }

    /**
     * Fits one epoch (0-based) from its minibatch {@code fromBatch} on: every training image once, in minibatches
     * shuffled with {@code seed + epoch} (or, without {@code shuffleEachEpoch}, in the minibatches of the first
     * epoch). With {@code segmentBatches > 0} the epoch is fitted in segments of that many minibatches, and
     * {@code afterSegment} gets the number of minibatches done after each segment but the last.
     *
     * @return the number of images fitted
     */
    public long fitEpoch(LabeledImages train, int epoch, int fromBatch, int segmentBatches, IntConsumer afterSegment) {
        List<int[]> batches = epochBatches(train, epoch);
        int step = segmentBatches > 0 ? segmentBatches : batches.size();
        long images = 0;
        for (int start = fromBatch; start < batches.size(); start += step) {
            int end = Math.min(batches.size(), start + step);
            List<int[]> segment = batches.subList(start, end);
            startFit(epoch, start);
            fit(augment.enabled() ? augmentedRdd(train, epoch, segment) : toRdd(train, segment));
            images += segment.stream().mapToLong(b -> b.length).sum();
            if (end < batches.size()) {
                afterSegment.accept(end);
            }
        }
        return images;
    }

    /** Fits one whole epoch (0-based); see {@link #fitEpoch(LabeledImages, int, int, int, IntConsumer)}. */
    public long fitEpoch(LabeledImages train, int epoch) {
        return fitEpoch(train, epoch, 0, 0, done -> { });
    }

    /**
     * The minibatches of an epoch, as image indices, or with augmentation as version indices: in
     * {@code per-epoch} mode version {@code epoch + 1} of every image, in {@code fixed} mode all {@code copies}
     * versions (index {@code v} is image {@code v % n} in version {@code v / n}, version 0 being the original).
     */
    private List<int[]> epochBatches(LabeledImages train, int epoch) {
        long seed = cfg.seed() + (cfg.shuffleEachEpoch() || augment.enabled() ? epoch : 0);
        int versions = augment.enabled() && augment.mode().equals("fixed") ? augment.copies() : 1;
        return LabeledImages.batchIndices(train.count() * versions, cfg.batchSizePerWorker(), seed);
    }

    /** Fits the minibatches of {@code images} given by their indices once, spread over the workers. */
    public void fit(LabeledImages images, List<int[]> batches) {
        fit(toRdd(images, batches));
    }

    private void fit(JavaRDD<DataSet> rdd) {
        try {
            sparkNet.fit(rdd);
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            throw new TrainingFailedException("training failed: " + rootMessage(e), e);
        }
    }

    /** Average training loss of the last averaging round, as DL4J reports it. */
    public double lastScore() {
        return sparkNet.getScore();
    }

    /** Evaluates the current network on the executors. */
    public Evaluation evaluate(LabeledImages test) {
        try {
            return sparkNet.evaluate(toRdd(test, test.batchIndices(cfg.batchSizePerWorker(), null)), null,
                    cfg.batchSizePerWorker());
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            throw new TrainingFailedException("evaluation failed: " + rootMessage(e), e);
        }
    }

    private JavaRDD<DataSet> toRdd(LabeledImages images, List<int[]> batches) {
        Broadcast<ImageBatch> all = broadcast(images);
        return sc.parallelize(new ArrayList<>(batches), Math.min(workers, batches.size()))
                .map(indices -> all.value().select(indices).toDataSet());
    }

    /**
     * Augmented minibatches given by version indices (see {@link #epochBatches}). The driver ships only the
     * indices; the executors augment while they cut their minibatches.
     */
    private JavaRDD<DataSet> augmentedRdd(LabeledImages images, int epoch, List<int[]> batches) {
        int n = images.count();
        boolean fixed = augment.mode().equals("fixed");
        Broadcast<ImageBatch> all = broadcast(images);
        Augmenter augmenter = new Augmenter(augment, images.rows(), images.cols());
        LongAccumulator counter = augmentedInTasks;
        long epochVersion = epoch + 1L;
        return sc.parallelize(new ArrayList<>(batches), Math.min(workers, batches.size())).map(versions -> {
            int[] image = new int[versions.length];
            long[] version = new long[versions.length];
            long augmented = 0;
            for (int i = 0; i < versions.length; i++) {
                image[i] = versions[i] % n;
                version[i] = fixed ? versions[i] / n : epochVersion;
                augmented += version[i] == 0 ? 0 : 1;
            }
            counter.add(augmented);
            return augmenter.dataSet(all.value(), image, version);
        });
    }

    /** Images augmented inside Spark tasks so far (counted by the tasks, summed on the driver). */
    public long augmentedInTasks() {
        return augmentedInTasks.value();
    }

    private Broadcast<ImageBatch> broadcast(LabeledImages images) {
        return broadcasts.computeIfAbsent(images, i -> sc.broadcast(ImageBatch.of(i)));
    }

    @Override
    public void close() {
        broadcasts.values().forEach(Broadcast::destroy);
        broadcasts.clear();
        master.deleteTempFiles(sc);
        try {
            FileSystem fs = exportDir.getFileSystem(sc.hadoopConfiguration());
            if (fs.exists(exportDir) && !fs.delete(exportDir, true)) {
                LOG.warn("Could not delete the export directory {}", exportDir);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete the export directory {}: {}", exportDir, e.toString());
        }
    }

    /**
     * DL4J's export mode hands minibatches to the executors as files, so on a cluster the default filesystem
     * must be one they all see; DL4J would fail only at the first fit, with a message about Spark 1.6.
     */
    private static void requireSharedFileSystem(JavaSparkContext sc) {
        String defaultFs = FileSystem.getDefaultUri(sc.hadoopConfiguration()).toString();
        if (!sc.isLocal() && defaultFs.startsWith("file:")) {
            throw new InvalidConfigException(List.of("training on " + sc.master() + " needs a default filesystem "
                    + "that every executor sees, but fs.defaultFS is " + defaultFs + ": put the cluster's "
                    + "core-site.xml on the class path (HADOOP_CONF_DIR) or pass --conf spark.hadoop.fs.defaultFS="
                    + "hdfs://NAMENODE:PORT"));
        }
    }

    private static Path exportDirectory(JavaSparkContext sc, TrainConfig cfg) {
        String base = cfg.exportDir().isBlank()
                ? sc.hadoopConfiguration().get("hadoop.tmp.dir") + "/spark-cnn-trainer-export"
                : cfg.exportDir();
        try {
            Path path = new Path(base, sc.sc().applicationId() + "-" + UUID.randomUUID());
            return path.getFileSystem(sc.hadoopConfiguration()).makeQualified(path);
        } catch (IOException e) {
            throw new TrainingFailedException("cannot use export directory " + base + ": " + e.getMessage(), e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (caused by " + t + ")";
    }
}
