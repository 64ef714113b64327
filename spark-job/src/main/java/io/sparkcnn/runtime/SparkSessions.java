package io.sparkcnn.runtime;

import io.sparkcnn.config.JobConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Optional;

/**
 * Builds the Spark session for a job. Whatever {@code spark-submit} (or {@code spark.*} system properties)
 * set wins; this only fills in what is missing: the fallback master, Kryo with the job's registrator, and the
 * executors' native settings.
 */
public final class SparkSessions {
    /** The job's Kryo registrator: ND4J's registrations, with ND4J arrays copied in bulk. */
    public static final String KRYO_REGISTRATOR = NdArrayKryoRegistrator.class.getName();

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
        conf.setIfMissing("spark.kryo.registrator", KRYO_REGISTRATOR);
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
