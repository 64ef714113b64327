package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import io.sparkcnn.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code bench} command end to end on a few hundred MNIST images: one process, then {@code local[2]}, twice.
 */
@Tag("spark-local")
class BenchCommandLocalTest {
    @TempDir
    static Path dir;

    @Test
    void measuresEveryPhaseOnTheSameImagesAndAdvises() throws Exception {
        Path json = dir.resolve("bench.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("bench", "--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=1280",
                "--set", "data.test-limit=500", "--set", "train.batch-size-per-worker=32",
                "--set", "train.averaging-frequency=5", "--masters", "local[2]", "--repeat", "2", "--json", json.toString());
        assertEquals(ExitCodes.OK, code, err.toString());
        String table = out.toString();
        assertTrue(table.contains("Advice: local[2], 2 workers"), table);

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(1280, root.get("trainImages").asInt());
        JsonNode phases = root.get("phases");
        assertEquals(8, phases.size(), "2 repetitions of 4 phases: " + root);
        assertEquals(2, root.get("repeats").asInt());
        assertEquals(1, phases.get(3).get("repeat").asInt());
        assertEquals(2, phases.get(4).get("repeat").asInt());
        assertEquals("process", phases.get(4).get("where").asText());
        assertEquals(phases.get(2).get("accuracy").asDouble(), phases.get(6).get("accuracy").asDouble(),
                "the same initial parameters, data and seeds train the same network again");
        JsonNode process = phases.get(0);
        JsonNode spark = phases.get(2);
        assertEquals("process", process.get("where").asText());
        assertEquals("local[2]", spark.get("where").asText());
        assertEquals(2, spark.get("workers").asInt());
        // 40 minibatches of 32, 2 workers x 5 per round: 4 rounds.
        assertEquals(4, spark.get("rounds").asInt());
        for (JsonNode train : new JsonNode[]{process, spark}) {
            assertEquals(1280, train.get("images").asLong());
            assertTrue(train.get("imagesPerCpuSecond").asDouble() > 0, train.toString());
            double compute = train.get("computeShare").asDouble();
            double sum = compute + train.get("averagingShare").asDouble() + train.get("dataShare").asDouble();
            assertTrue(compute > 0.2 && compute <= 1, train.toString());
            assertEquals(1.0, sum, 0.02, train.toString());
            assertTrue(train.get("accuracy").asDouble() > 0.3, "one epoch on 1,280 images learns: " + train);
        }
        assertEquals(0, process.get("averagingShare").asDouble());
        assertTrue(spark.get("averagingShare").asDouble() > 0, "rounds cost time: " + spark);
        assertTrue(phases.get(1).get("computeShare").isNull(), "evaluation rows have no shares");
        assertTrue(spark.get("breakdownMs").get("ParameterAveragingWorkerFitTimesMs").asDouble() > 0, spark.toString());
        assertTrue(spark.get("breakdownMs").get("ParameterAveragingMasterBroadcastCreateTimesMs") != null,
                spark.toString());
        assertTrue(process.get("breakdownMs").get("fit").asDouble() > 0, process.toString());
        assertTrue(table.contains("Where the time went, train on local[2]"), table);
        JsonNode summary = root.get("summary");
        assertEquals(2, summary.size(), summary.toString());
        assertTrue(summary.get(0).get("medianCpuRatio").isNull(), "no ratio for the process itself");
        JsonNode onSpark = summary.get(1);
        assertEquals("local[2]", onSpark.get("where").asText());
        assertEquals(2, onSpark.get("runs").asInt());
        double ratio1 = phases.get(2).get("imagesPerCpuSecond").asDouble()
                / process.get("imagesPerCpuSecond").asDouble();
        double ratio2 = phases.get(6).get("imagesPerCpuSecond").asDouble()
                / phases.get(4).get("imagesPerCpuSecond").asDouble();
        assertEquals((ratio1 + ratio2) / 2, onSpark.get("medianCpuRatio").asDouble(), 1e-9);
        assertEquals(Math.min(ratio1, ratio2), onSpark.get("minCpuRatio").asDouble(), 1e-9);
        assertTrue(table.contains("Training over 2 repetitions"), table);
        assertEquals(1, root.get("advice").size(), "one advice per master");
        JsonNode advice = root.get("advice").get(0);
        int f = advice.get("recommendedFrequency").asInt();
        assertTrue(f >= 1 && f <= Advice.MAX_FREQUENCY, advice.toString());
        assertTrue(advice.get("overheadMsPerRound").asDouble() > 0, advice.toString());
    }
}
