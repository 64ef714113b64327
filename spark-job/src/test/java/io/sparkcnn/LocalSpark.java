package io.sparkcnn;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.runtime.SparkSessions;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/** A Spark session on {@code local[N]}, configured as the job configures its own, bound to 127.0.0.1. */
public final class LocalSpark {
    private LocalSpark() {
    }

    public static SparkSession start(int threads) {
        SparkConf conf = new SparkConf()
                .setMaster("local[" + threads + "]")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        SparkSessions.configure(conf, ConfigLoader.load(null, List.of()));
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
