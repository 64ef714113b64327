package io.sparkcnn.train;

import io.sparkcnn.config.JobConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Optional;

/**
 * Builds the Spark session for a job. Whatever {@code spark-submit} (or {@code spark.*} system properties)
 * set wins; this only fills in what is missing: the fallback master, Kryo with ND4J's registrator, and the
 * executors' native settings.
 */
public final class SparkSessions {
    /** ND4J's Kryo registrator (inside the dl4j-spark jar; not the name DL4J's documentation gives). */
    public static final String ND4J_KRYO_REGISTRATOR = "org.nd4j.kryo.Nd4jRegistrator";

    private SparkSessions() {
    }

    public static SparkSession create(JobConfig cfg) {
        return SparkSession.builder().config(configure(new SparkConf(), cfg)).getOrCreate();
    }

    /** Adds the job's defaults to {@code conf} without overriding anything already set. */
    public static SparkConf configure(SparkConf conf, JobConfig cfg) {
        if (!conf.contains("spark.master")) {
            conf.setMaster(cfg.spark().fallbackMaster());
        }
        conf.setIfMissing("spark.app.name", cfg.spark().appName());
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", ND4J_KRYO_REGISTRATOR);
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", Integer.toString(cfg.natives().ompThreads()));
        Optional<String> core = NativeSetup.openblasCoreType(cfg.natives());
        core.ifPresent(c -> conf.setIfMissing("spark.executorEnv.OPENBLAS_CORETYPE", c));
        NativeSetup.MALLOC_ENV.forEach((name, value) -> conf.setIfMissing("spark.executorEnv." + name, value));
        String helpers = "-D" + NativeSetup.HELPERS_DISABLE_PROPERTY + "=" + !NativeSetup.helpersEnabled(cfg.natives());
        String executorOpts = conf.get("spark.executor.extraJavaOptions", "");
        if (!executorOpts.contains(NativeSetup.HELPERS_DISABLE_PROPERTY)) {
            conf.set("spark.executor.extraJavaOptions", (executorOpts + " " + helpers).trim());
        }
        return conf;
    }
}
