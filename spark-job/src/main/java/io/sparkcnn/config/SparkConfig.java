package io.sparkcnn.config;

/**
 * Session settings. The master is never set here: {@code spark-submit --master} decides, and
 * {@code fallbackMaster} is used only when nothing set {@code spark.master}.
 *
 * @param appName        application name shown in the Spark UI
 * @param fallbackMaster master used when none is configured, normally {@code local[*]}
 */
public record SparkConfig(String appName, String fallbackMaster) {
}
