package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.cli.ExitCodes;
import io.sparkcnn.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code plan} on the fixtures: a 2-worker bench calibration and a scaling study. */
@Tag("unit")
class PlanCommandTest {
    @TempDir
    Path dir;

    private static String resource(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(PlanCommandTest.class.getResource(name)).toURI()).toString();
    }

    @Test
    void predictsTheGridAndRecommendsFromTheStudy() throws Exception {
        Path json = dir.resolve("plan.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String bench = resource("/plan/bench-2-workers.json");
        int code = cli.execute("plan", "--preset", "seed-cnn", "--calibration", bench,
                "--study", resource("/plan/scale-study.json"), "--executors", "2,4,16", "--cores", "1,4",
                "--gbits", "1,10,25", "--target", "0.99", "--deadline", "15m", "--validate", bench,
                "--json", json.toString());
        String text = out.toString();
        assertEquals(ExitCodes.OK, code, err + text);
        assertTrue(text.contains("1,199,882 parameters"), text);
        assertTrue(text.contains("Advice: At 1 Gbit/s"), text);
        assertTrue(text.contains("Advice: At 25 Gbit/s"), text);
        // the calibration run predicts itself (the identity the calibration is built on)
        assertTrue(text.contains("+0.0%") || text.contains("-0.0%"), text);

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        // 3 links x 3 executor counts x 2 core counts; W = 2 and 4 one plain run each, W >= 16 plain and Nesterov
        // (W = 8 from 2 x 4 takes W = 4's run)
        assertEquals(3 * (1 + 1 + 2 + 1 + 2 + 2), root.get("rows").size(), root.toPrettyString());
        JsonNode bytes = root.get("bytesPerRound");
        // parameters and AdaDelta's two state values per parameter, 4 bytes each, in every direction
        long arrays = 3L * 1_199_882 * 4;
        assertTrue(bytes.get("resultPerPartialSum").asLong() >= arrays, bytes.toString());
        assertTrue(bytes.get("resultPerPartialSum").asLong() < arrays + 10_000, bytes.toString());
        assertTrue(bytes.get("broadcastPerExecutor").asLong() >= arrays, bytes.toString()); // Kryo, uncompressed
        JsonNode calibration = root.get("calibration");
        assertEquals(120, calibration.get("computeMsPerBatch").asDouble(), 1e-9); // 0.9 x 80 s / 600 minibatches
        JsonNode advice = root.get("advice");
        assertEquals(3, advice.size());
        for (JsonNode a : advice) {
            assertTrue(a.get("meetsDeadline").asBoolean(), a.toString());
            assertEquals(2, a.get("workers").asInt(), a.toString()); // 180,000 images at ~900 img/s: 3-4 min
        }
    }

    @Test
    void saysWhenNothingMeetsTheDeadline() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        int code = cli.execute("plan", "--preset", "seed-cnn", "--calibration", resource("/plan/bench-2-workers.json"),
                "--study", resource("/plan/scale-study.json"), "--executors", "2,4", "--cores", "1", "--gbits", "10",
                "--deadline", "30s", "--aggregation", "ordered", "--json", dir.resolve("p.json").toString());
        assertEquals(ExitCodes.OK, code, out.toString());
        assertTrue(out.toString().contains("none meets the deadline"), out.toString());
    }
}
