package io.sparkcnn.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code submit-scripts/gpu-discovery.sh}, Spark's GPU discovery script, run as Spark runs it.
 *
 * <p>This machine (and CI) has no GPU and no NVIDIA driver, so the tests put a fake {@code nvidia-smi}
 * first on {@code PATH}: a two-line shell script that prints what the real one prints for
 * {@code --query-gpu=index --format=csv,noheader} (one index per line) and records its arguments. The fake
 * stands in for the GPU tool only; the script under test is the real file. What these tests cannot show is
 * that a real {@code nvidia-smi} prints that format on a given driver version, nor that Spark schedules tasks
 * onto the addresses: that needs a GPU host (docs/cluster.md, "GPU (CUDA)").</p>
 */
@Tag("unit")
class GpuDiscoveryScriptTest {
    private static final Path SCRIPT = TestData.projectRoot().resolve("submit-scripts/gpu-discovery.sh");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void printsTheGpuIndicesAsSparkResourceJson() throws Exception {
        Path bin = fakeNvidiaSmi("printf '0\\n1\\n'", 0);
        Result r = run(bin + File.pathSeparator + System.getenv("PATH"));

        assertEquals(0, r.exitCode, r.stderr);
        assertEquals("", r.stderr);
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\",\"1\"]}", r.stdout.strip());
        JsonNode json = JSON.readTree(r.stdout);
        assertEquals("gpu", json.get("name").asText());
        List<String> addresses = new ArrayList<>();
        json.get("addresses").forEach(a -> {
            assertTrue(a.isTextual(), "Spark wants the addresses as strings: " + a);
            addresses.add(a.asText());
        });
        assertEquals(List.of("0", "1"), addresses);
        assertEquals("--query-gpu=index --format=csv,noheader",
                Files.readString(bin.resolve("args")).strip(), "how the script asks nvidia-smi");
        assertTrue(Files.isExecutable(SCRIPT), "Spark executes the script directly: it must keep its exec bit");
    }

    @Test
    void oneGpuWithStraySpacesAndCarriageReturns() throws Exception {
        Path bin = fakeNvidiaSmi("printf ' 3 \\r\\n\\n'", 0);
        Result r = run(bin + File.pathSeparator + System.getenv("PATH"));

        assertEquals(0, r.exitCode, r.stderr);
        JsonNode json = JSON.readTree(r.stdout);
        assertEquals("gpu", json.get("name").asText());
        assertEquals(1, json.get("addresses").size());
        assertEquals("3", json.get("addresses").get(0).asText());
    }

    @Test
    void withoutNvidiaSmiItFailsWithAMessage() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty-bin"));
        Result r = run(empty.toString());

        assertNotEquals(0, r.exitCode);
        assertEquals("", r.stdout, "nothing for Spark to parse");
        assertTrue(r.stderr.contains("nvidia-smi not found on PATH"), r.stderr);
    }

    @Test
    void aFailingOrEmptyNvidiaSmiIsAnErrorNotAnEmptyList() throws Exception {
        Path failing = fakeNvidiaSmi("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'", 9);
        Result r = run(failing.toString());
        assertNotEquals(0, r.exitCode);
        assertEquals("", r.stdout);
        assertTrue(r.stderr.contains("failed with exit code 9"), r.stderr);

        Files.delete(failing.resolve("nvidia-smi"));
        Path none = fakeNvidiaSmi("true", 0);
        r = run(none.toString());
        assertNotEquals(0, r.exitCode);
        assertEquals("", r.stdout);
        assertTrue(r.stderr.contains("lists no GPU"), r.stderr);

        Files.delete(none.resolve("nvidia-smi"));
        Path garbage = fakeNvidiaSmi("echo 'No devices were found'", 0);
        r = run(garbage.toString());
        assertNotEquals(0, r.exitCode);
        assertFalse(r.stdout.contains("addresses"), r.stdout);
        assertTrue(r.stderr.contains("where a GPU index was expected"), r.stderr);
    }

    /** A directory with an executable {@code nvidia-smi} that records its arguments, runs {@code body}, exits. */
    private Path fakeNvidiaSmi(String body, int exitCode) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = bin.resolve("nvidia-smi");
        Files.writeString(fake, "#!" + bash() + "\n"
                + "echo \"$*\" > \"$(dirname \"$0\")/args\"\n"
                + body + "\n"
                + "exit " + exitCode + "\n", StandardCharsets.UTF_8);
        assertTrue(fake.toFile().setExecutable(true));
        return bin;
    }

    /** Runs the script with bash (found now, so that {@code path} need not contain it) and only {@code path}. */
    private Result run(String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(bash().toString(), SCRIPT.toString());
        pb.environment().put("PATH", path);
        pb.redirectOutput(tmp.resolve("stdout").toFile());
        pb.redirectError(tmp.resolve("stderr").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "script did not finish");
        return new Result(p.exitValue(), Files.readString(tmp.resolve("stdout")), Files.readString(tmp.resolve("stderr")));
    }

    private static Path bash() {
        return Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "bash"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("bash is not on PATH"));
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
