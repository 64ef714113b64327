package io.sparkcnn.runtime;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("unit")
class SparkSessionsTest {
    private static final JobConfig CFG = ConfigLoader.load(null, List.of());

    @Test
    void executorsGetTheMallocSettingsAndOneOpenMpThread() {
        SparkConf conf = SparkSessions.configure(new SparkConf(false), CFG);
        assertEquals("33554432", conf.get("spark.executorEnv.MALLOC_MMAP_THRESHOLD_"));
        assertEquals("268435456", conf.get("spark.executorEnv.MALLOC_TRIM_THRESHOLD_"));
        assertEquals("67108864", conf.get("spark.executorEnv.MALLOC_TOP_PAD_"));
        assertEquals("1", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.get("spark.serializer"));
        assertEquals(NdArrayKryoRegistrator.class.getName(), conf.get("spark.kryo.registrator"));
    }

    @Test
    void settingsAlreadyMadeAreKept() {
        SparkConf conf = SparkSessions.configure(new SparkConf(false)
                .set("spark.executorEnv.MALLOC_TOP_PAD_", "0").setMaster("local[3]"), CFG);
        assertEquals("0", conf.get("spark.executorEnv.MALLOC_TOP_PAD_"));
        assertEquals("local[3]", conf.get("spark.master"));
        assertEquals("268435456", conf.get("spark.executorEnv.MALLOC_TRIM_THRESHOLD_"));
    }
}
