package io.sparkcnn.cli;

import io.sparkcnn.Cli;
import io.sparkcnn.Cli.Run;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.runtime.MemoryPlan;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code resources}: key=value lines a submit script can read, computed from the configured network. */
@Tag("unit")
class ResourcesCommandTest {
    private static final long MIB = 1L << 20;

    private static Run resources(String... args) {
        List<String> all = new ArrayList<>(List.of("resources"));
        all.addAll(Arrays.asList(args));
        return Cli.run(all);
    }

    private static Map<String, String> lines(String out) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            assertTrue(line.matches("[a-z][a-zA-Z0-9.-]*=\\S.*"), "not a key=value line: '" + line + "'");
            kv.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return kv;
    }

    @Test
    void printsTheSettingsForSeedCnnOnTwoCoreExecutors() {
        Run run = resources("--preset", "seed-cnn", "--executor-memory", "2g", "--executor-cores", "2");
        assertEquals(0, run.code(), run.err());
        Map<String, String> kv = lines(run.out());
        MemoryPlan.Recommendation r = MemoryPlan.forJob(ConfigLoader.load(null, List.of("model.preset=seed-cnn")))
                .recommend(2048 * MIB, 2, 1);
        assertEquals(List.of("spark.executor.memoryOverhead", "executor.java-options", "plan.model", "plan.parameters",
                "plan.batch-size-per-worker", "plan.executor-memory-bytes", "plan.tasks-per-executor", "plan.per-task-bytes",
                "plan.per-executor-bytes", "plan.native-margin-bytes", "plan.offheap-bytes", "plan.jvm-overhead-bytes"),
                List.copyOf(kv.keySet()));
        assertEquals("1262m", kv.get("spark.executor.memoryOverhead"), "384 MiB for the JVM + 877.3 MiB off the heap");
        assertEquals(r.memoryOverhead(), kv.get("spark.executor.memoryOverhead"));
        assertEquals("-Dorg.bytedeco.javacpp.maxbytes=919908008 -Dorg.bytedeco.javacpp.maxphysicalbytes="
                + (2048 + 1262) * MIB, kv.get("executor.java-options"));
        assertEquals("1199882", kv.get("plan.parameters"));
        assertEquals("2", kv.get("plan.tasks-per-executor"));
        assertEquals(Long.toString(2048 * MIB), kv.get("plan.executor-memory-bytes"));
    }

    @Test
    void aBiggerBatchAsksForMoreOverhead() {
        long small = overheadMib(resources("--set", "train.batch-size-per-worker=64").out());
        long big = overheadMib(resources("--set", "train.batch-size-per-worker=256").out());
        assertTrue(small < big, small + " MiB vs " + big + " MiB");
        assertEquals(1, Long.parseLong(lines(resources().out()).get("plan.tasks-per-executor")), "Spark's default: 1 core");
    }

    private static long overheadMib(String out) {
        String v = lines(out).get("spark.executor.memoryOverhead");
        return Long.parseLong(v.substring(0, v.length() - 1));
    }

    @Test
    void aBadSizeOrConfigurationExitsWith2() {
        Run size = resources("--executor-memory", "lots");
        assertEquals(ExitCodes.BAD_CONFIG, size.code());
        assertTrue(size.err().contains("--executor-memory must be a size such as 2g or 1536m, got 'lots'"), size.err());
        assertEquals("", size.out());
        Run cfg = resources("--set", "train.batch-size-per-worker=0");
        assertEquals(ExitCodes.BAD_CONFIG, cfg.code());
        assertTrue(cfg.err().contains("train.batch-size-per-worker must be >= 1, got 0"), cfg.err());
    }
}
