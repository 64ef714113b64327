package io.sparkcnn.store;

import io.sparkcnn.Networks;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The versioned registry on the local filesystem, with failures injected at every step of a publish. */
@Tag("unit")
class ModelRegistryTest {
    private static final MultiLayerNetwork first = network(1);
    private static final MultiLayerNetwork second = network(2);
    private static final INDArray probe = Nd4j.rand(4, 784);

    @TempDir
    Path dir;

    private static MultiLayerNetwork network(long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", seed));
        net.init();
        return net;
    }

    private static Map<String, byte[]> side(String text) {
        return Map.of("evaluation.json", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void publishedVersionsLoadBackVerifiedAndLatestMoves() throws IOException {
        ModelRegistry registry = new ModelRegistry(new Configuration(), dir.toString());
        String v1 = registry.publish(first, probe, side("{\"accuracy\": 0.9}"), Map.of("runId", "a"));
        assertEquals(v1, registry.latest().orElseThrow());
        String v2 = registry.publish(second, probe, side("{\"accuracy\": 0.95}"), Map.of("runId", "b"));
        assertEquals(List.of(v1, v2), registry.versions());
        assertEquals(v2, registry.latest().orElseThrow());
        assertEquals(second.params(), registry.load(ModelRegistry.LATEST_FILE).params());
        assertEquals(first.params(), registry.load(v1).params());
        String manifest = Files.readString(dir.resolve("versions").resolve(v2).resolve(ModelRegistry.MANIFEST_FILE));
        assertTrue(manifest.contains(ModelRegistry.sha256(Files.readAllBytes(
                dir.resolve("versions").resolve(v2).resolve(ModelRegistry.MODEL_FILE)))), manifest);
        assertTrue(manifest.contains("\"runId\" : \"b\""), manifest);
    }

    @Test
    void aPublishInterruptedAtAnyStepLeavesThePreviousOrTheNewCompleteVersion() {
        Configuration faulty = new Configuration();
        assertEveryInterruptionLeavesACompleteVersion(dir.toString(), "faulty://" + dir, faulty, true);
    }

    /**
     * Publishes {@code first}, then tries to publish {@code second} through {@code faultyLocation} (the same
     * place through a failing filesystem) with the k-th filesystem call failing, k = 1, 2, ... until one
     * succeeds; after each attempt the location must hold only complete versions and LATEST must load as the
     * old or the new model.
     */
    static void assertEveryInterruptionLeavesACompleteVersion(String location, String faultyLocation, Configuration faulty,
                                                              boolean midWrite) {
        new ModelRegistry(new Configuration(), location).publish(first, probe, side("1"), Map.of());
        List<String> outcomes = new ArrayList<>();
        boolean published = false;
        for (int failAt = 1; !published && failAt <= 20; failAt++) {
            for (boolean broken : midWrite ? new boolean[]{false, true} : new boolean[]{false}) {
                FaultyFileSystem.install(faulty, failAt, broken);
                boolean failed;
                try {
                    new ModelRegistry(faulty, faultyLocation).publish(second, probe, side("2"), Map.of());
                    failed = false;
                } catch (OutputException e) {
                    failed = true;
                }
                FaultyFileSystem.install(new Configuration(), -1, false);
                ModelRegistry reader = new ModelRegistry(new Configuration(), location);
                String latest = reader.latest().orElseThrow();
                assertTrue(reader.versions().contains(latest), "LATEST names a complete version");
                MultiLayerNetwork loaded = reader.load(ModelRegistry.LATEST_FILE);
                boolean isFirst = loaded.params().equals(first.params());
                assertTrue(isFirst || loaded.params().equals(second.params()), "LATEST is the old or the new model");
                for (String v : reader.versions()) {
                    reader.verify(v);
                }
                outcomes.add("call " + failAt + (broken ? " mid-write" : "") + ": "
                        + (failed ? "failed" : "published") + ", LATEST " + (isFirst ? "old" : "new"));
                if (!failed) {
                    published = true;
                    break;
                }
            }
        }
        LoggerFactory.getLogger(ModelRegistryTest.class).info("Interrupted publishes at {}:\n{}", location,
                String.join("\n", outcomes));
        assertTrue(outcomes.stream().filter(o -> o.contains("failed, LATEST old")).count() >= 5, String.join("\n", outcomes));
        assertTrue(outcomes.get(outcomes.size() - 1).contains("published, LATEST new"), String.join("\n", outcomes));
    }

    @Test
    void aFlippedByteOrATruncatedModelIsRefusedNamingTheFileAndChecksum() throws IOException {
        ModelRegistry registry = new ModelRegistry(new Configuration(), dir.toString());
        String v = registry.publish(first, probe, side("1"), Map.of());
        Path model = dir.resolve("versions").resolve(v).resolve(ModelRegistry.MODEL_FILE);
        byte[] good = Files.readAllBytes(model);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x01;
        Files.write(model, flipped);
        CorruptVersionException e = assertThrows(CorruptVersionException.class, () -> registry.load(v));
        assertTrue(e.getMessage().contains(ModelRegistry.MODEL_FILE) && e.getMessage().contains("SHA-256 "
                + ModelRegistry.sha256(flipped)) && e.getMessage().contains(ModelRegistry.sha256(good)), e.getMessage());

        Files.write(model, java.util.Arrays.copyOf(good, good.length - 100));
        CorruptVersionException truncated = assertThrows(CorruptVersionException.class, () -> registry.load(v));
        assertTrue(truncated.getMessage().contains((good.length - 100) + " bytes"), truncated.getMessage());

        Files.delete(dir.resolve("versions").resolve(v).resolve(ModelRegistry.SUCCESS_FILE));
        OutputException incomplete = assertThrows(OutputException.class, () -> registry.load(v));
        assertTrue(incomplete.getMessage().contains("incomplete"), incomplete.getMessage());
    }

    @Test
    void twoConcurrentRunsOnOneLocationPublishOneAtATime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch bothLocked = new CountDownLatch(1);
        try {
            ModelRegistry a = new ModelRegistry(new Configuration(), dir.toString());
            ModelRegistry b = new ModelRegistry(new Configuration(), dir.toString());
            Future<String> winner = pool.submit(() -> {
                try (ModelRegistry.Lock lock = a.lock("run-a", 0)) {
                    bothLocked.await();
                    return a.publish(first, probe, side("a"), Map.of());
                }
            });
            Future<String> loser = pool.submit(() -> {
                while (!Files.exists(dir.resolve(ModelRegistry.LOCK_FILE))) {
                    Thread.sleep(5);
                }
                try (ModelRegistry.Lock lock = b.lock("run-b", 0)) {
                    return b.publish(second, probe, side("b"), Map.of());
                } finally {
                    bothLocked.countDown();
                }
            });
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class, loser::get);
            LockedException locked = (LockedException) e.getCause();
            assertTrue(locked.getMessage().contains("locked by run-a"), locked.getMessage());
            String published = winner.get();
            assertEquals(List.of(published), a.versions());
            assertFalse(Files.exists(dir.resolve(ModelRegistry.LOCK_FILE)), "released");
        } finally {
            pool.shutdownNow();
        }

        ModelRegistry waiting = new ModelRegistry(new Configuration(), dir.toString());
        ModelRegistry.Lock stale = waiting.lock("dead-run", 0);
        assertThrows(LockedException.class, () -> waiting.lock("next-run", 50));
        waiting.breakLock();
        try (ModelRegistry.Lock next = waiting.lock("next-run", 0)) {
            stale.close();
            assertTrue(Files.exists(dir.resolve(ModelRegistry.LOCK_FILE)), "closing a broken lock leaves the new one");
        }
    }

    @Test
    void aLockWhoseHolderHasNotYetWrittenItsNameIsReadAgain() throws Exception {
        ModelRegistry registry = new ModelRegistry(new Configuration(), dir.toString());
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(ModelRegistry.LOCK_FILE);
        Files.write(lockFile, new byte[0]);
        Thread holder = new Thread(() -> {
            try {
                Thread.sleep(200);
                Files.writeString(lockFile, "run-slow 1234 since then");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        holder.start();
        LockedException e = assertThrows(LockedException.class, () -> registry.lock("run-fast", 0));
        holder.join();
        assertTrue(e.getMessage().contains("locked by run-slow 1234"), e.getMessage());

        Files.write(lockFile, new byte[0]);
        LockedException silent = assertThrows(LockedException.class, () -> registry.lock("run-fast", 0));
        assertTrue(silent.getMessage().contains("has not yet written its name"), silent.getMessage());
    }

    @Test
    void retentionKeepsTheNewestVersionsAndLatest() {
        ModelRegistry registry = new ModelRegistry(new Configuration(), dir.toString());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(registry.publish(i % 2 == 0 ? first : second, probe, side("" + i), Map.of()));
        }
        assertEquals(ids.subList(0, 2), registry.retain(2));
        assertEquals(ids.subList(2, 4), registry.versions());
        assertEquals(ids.get(3), registry.latest().orElseThrow());
    }
}
