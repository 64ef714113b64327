package io.sparkcnn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * The job: check the output location (or take the registry's lock), then run three phases, each handing the
 * one {@link RunState} to the next:
 * <ol>
 *   <li>{@link StartPhase}: load and validate the data on the driver, start from a checkpoint, the registry's
 *       {@code LATEST}, a pretrained network or random weights; log the settings, run the pre-flight check;</li>
 *   <li>{@link EpochLoop}: train with parameter averaging on the executors, checkpoint, record the history;</li>
 *   <li>{@link FinishPhase}: tail-average, evaluate on the executors, save the model with {@value #EVALUATION_FILE},
 *       {@value #RUN_FILE}, its input contract ({@link InputContract}) and the history beside it, or publish and
 *       promote it in the registry.</li>
 * </ol>
 * Progress goes to a {@link ProgressReporter} after every averaging round.
 */
public final class TrainJob {
    /** Evaluation written beside the model. */
    public static final String EVALUATION_FILE = "evaluation.json";
    /** Run facts (config, master, workers, throughput, versions) written beside the model. */
    public static final String RUN_FILE = "run.json";

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {
    }

    /** Trains, evaluates and saves as {@code cfg} says, on the executors of {@code spark}. */
    public static TrainResult run(JobConfig cfg, SparkSession spark) {
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        NativeSetup.applyToThisJvm(cfg.natives());
        ModelStore store = new ModelStore(sc.hadoopConfiguration());
        if (!cfg.output().registry()) {
            store.checkWritable(cfg.output().path(), cfg.output().overwrite());
            return train(cfg, spark, store, null, started);
        }
        ModelRegistry registry = new ModelRegistry(sc.hadoopConfiguration(), cfg.output().path());
        String owner = "application " + sc.sc().applicationId() + " (" + ProcessHandle.current().pid() + "@"
                + hostName() + ")";
        try (ModelRegistry.Lock lock = registry.lock(owner, cfg.output().lockWaitSeconds() * 1000L)) {
            LOG.info("Holding the lock of registry {} (latest version: {})", registry.location(),
                    registry.latest().orElse("none"));
            return train(cfg, spark, store, registry, started);
        }
    }

    /** The run in its three phases, one {@link RunState} passed from each to the next. */
    private static TrainResult train(JobConfig cfg, SparkSession spark, ModelStore store, ModelRegistry registry,
                                     Instant started) {
        RunState run = StartPhase.begin(cfg, spark, store, registry, started);
        try (SparkTrainer trainer = new SparkTrainer(run.sc, run.start.network(), cfg.train(), cfg.augment(), cfg.natives())) {
            StartPhase.prepare(run, trainer);
            EpochLoop.run(run, trainer);
            return FinishPhase.finish(run, trainer);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown host";
        }
    }

    /** {@code value} as indented JSON, as the run's side files and hashes take it. */
    static byte[] json(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
