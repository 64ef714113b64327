package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.Cli;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --scale} end to end through the command line on 960 MNIST images: two variants, one and three
 * workers, two epochs; the JSON, the table and the chart.
 */
@Tag("spark-local")
class ScalingStudyLocalTest {
    @TempDir
    Path dir;

    @Test
    void studiesEveryVariantAtEveryWorkerCountAndWritesJsonAndChart() throws Exception {
        Path json = dir.resolve("scale.json");
        Path chart = dir.resolve("scale.png");
        Cli.Run run = Cli.run("bench", "--scale", "1,3", "--epochs", "2", "--preset", "seed-fc",
                "--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=960",
                "--set", "data.test-limit=500", "--set", "train.batch-size-per-worker=32",
                "--set", "train.averaging-frequency=5", "--set", "spark.fallback-master=local[2]",
                "--variant", "plain:", "--variant", "nesterov:train.outer.method=nesterov,train.outer.lr=0.7,"
                        + "train.outer.momentum=0.9",
                "--targets", "0.5,0.999", "--json", json.toString(), "--chart", chart.toString());
        assertEquals(ExitCodes.OK, run.code(), run.all());
        assertTrue(run.out().contains("Variant nesterov {train.outer.method=nesterov, train.outer.lr=0.7, "
                + "train.outer.momentum=0.9}"), run.out());

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(960, root.get("trainImages").asInt());
        assertEquals(500, root.get("testImages").asInt());
        JsonNode variants = root.get("variants");
        assertEquals(2, variants.size());
        assertEquals("plain", variants.get(0).get("name").asText());
        for (JsonNode variant : variants) {
            JsonNode runs = variant.get("runs");
            assertEquals(2, runs.size());
            // 30 minibatches of 32: one worker averages every 5 (6 rounds), three workers every 3 x 5 (2 rounds).
            assertEquals(List.of(1, 6), List.of(runs.get(0).get("workers").asInt(), runs.get(0).get("roundsPerEpoch").asInt()));
            assertEquals(List.of(3, 2), List.of(runs.get(1).get("workers").asInt(), runs.get(1).get("roundsPerEpoch").asInt()));
            for (JsonNode r : runs) {
                assertEquals(160, r.get("imagesPerWorkerPerRound").asInt());
                assertEquals(2, r.get("epochs").size());
                for (JsonNode e : r.get("epochs")) {
                    assertEquals(960, e.get("images").asLong());
                    assertTrue(e.get("accuracy").asDouble() > 0.3 && e.get("accuracy").asDouble() <= 1, e.toString());
                }
                JsonNode reached = r.get("reached");
                assertTrue(reached.get("0.999").isNull(), "not reached within two epochs: " + r);
                JsonNode half = reached.get("0.5");
                int epoch = half.get("epoch").asInt();
                assertTrue(r.get("epochs").get(epoch - 1).get("accuracy").asDouble() >= 0.5, r.toString());
                assertTrue(epoch == 1 || r.get("epochs").get(0).get("accuracy").asDouble() < 0.5, r.toString());
                assertEquals(960L * epoch, half.get("images").asLong());
            }
        }
        assertEquals("none", variants.get(0).get("runs").get(1).get("outer").asText());
        assertEquals("nesterov lr 0.7 mom 0.9", variants.get(1).get("runs").get(1).get("outer").asText());
        assertNotEquals(variants.get(0).get("runs").get(1).get("epochs").toString(),
                variants.get(1).get("runs").get(1).get("epochs").toString(), "the outer momentum changes three workers' run");

        BufferedImage png = ImageIO.read(chart.toFile());
        assertTrue(png.getWidth() >= 720 && png.getHeight() > 300, png.getWidth() + "x" + png.getHeight());
    }

    @Test
    void aVariantWithoutANameIsRefusedBeforeAnyTraining() {
        Cli.Run run = Cli.run("bench", "--scale", "2", "--variant", "train.outer.method=nesterov");
        assertEquals(ExitCodes.BAD_CONFIG, run.code(), run.all());
        assertTrue(run.err().contains("--variant must be NAME:KEY=VALUE"), run.err());
    }
}
