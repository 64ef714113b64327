package io.sparkcnn.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class ProgressReporterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void speedAndEtaFollowTheImagesDoneSinceTheStart() {
        AtomicLong now = new AtomicLong(100 * SECOND);
        ProgressReporter r = new ProgressReporter(ProgressReporter.Mode.OFF, 5, 60_000, now::get, Duration.ofSeconds(10));
        r.start(0, 0);
        now.addAndGet(32 * SECOND);
        ProgressReporter.Progress p = r.roundDone(0, 37, 94, 23_680, 0.25);
        assertEquals(740.0, p.imagesPerSecond(), 1e-9, "23,680 images in 32 s");
        assertEquals((60_000 - 23_680) / 740.0, p.epochEtaSeconds(), 1e-9);
        assertEquals((300_000 - 23_680) / 740.0, p.etaSeconds(), 1e-9);
        assertEquals(23_680, p.runImagesDone());
        assertEquals(300_000, p.runImages());

        now.addAndGet(48 * SECOND);
        p = r.roundDone(1, 1, 94, 640, 0.2);
        assertEquals(2, p.epoch());
        assertEquals(60_640, p.runImagesDone());
        assertEquals(60_640 / 80.0, p.imagesPerSecond(), 1e-9);
        assertEquals("Epoch 2/5, round 1/94: images 640/60,000 of the epoch, 60,640/300,000 of the run; 758.0 images/s; "
                + "ETA epoch 0:01:18, run 0:05:16; loss 0.2000", p.line());
    }

    @Test
    void aResumedRunCountsItsSpeedFromTheResume() {
        AtomicLong now = new AtomicLong(0);
        ProgressReporter r = new ProgressReporter(ProgressReporter.Mode.OFF, 3, 20_000, now::get, Duration.ZERO);
        r.start(1, 6_400);
        now.addAndGet(10 * SECOND);
        ProgressReporter.Progress p = r.roundDone(1, 25, 62, 8_000, 0.3);
        assertEquals(160.0, p.imagesPerSecond(), 1e-9, "1,600 images trained by this process in 10 s");
        assertEquals((60_000 - 28_000) / 160.0, p.etaSeconds(), 1e-9);
    }

    @Test
    void beforeAnyTimeHasPassedTheEtaIsUnknown() {
        ProgressReporter r = new ProgressReporter(ProgressReporter.Mode.OFF, 1, 100, () -> 5L, Duration.ZERO);
        r.start(0, 0);
        ProgressReporter.Progress p = r.roundDone(0, 1, 2, 50, 1.0);
        assertTrue(Double.isNaN(p.etaSeconds()));
        assertTrue(p.line().contains("ETA epoch ?, run ?"), p.line());
    }

    @Test
    void jobDescriptionsNameEpochRoundAndImages() {
        ProgressReporter r = new ProgressReporter(ProgressReporter.Mode.OFF, 5, 60_000, System::nanoTime, Duration.ZERO);
        assertEquals("epoch 2/5, round 37/94 (images 23,680/60,000)", r.describeRound(1, 37, 94, 23_680));
    }

    @Test
    void autoIsABarOnATerminalAndLinesElsewhere() {
        assertEquals(ProgressReporter.Mode.BAR, ProgressReporter.Mode.of("auto", true));
        assertEquals(ProgressReporter.Mode.LINES, ProgressReporter.Mode.of("auto", false));
        assertEquals(ProgressReporter.Mode.OFF, ProgressReporter.Mode.of("off", true));
        assertEquals(ProgressReporter.Mode.LINES, ProgressReporter.Mode.of("lines", true));
    }

    @Test
    void lineModeLogsAtMostOncePerIntervalAndAtEveryEpochEnd() {
        StringWriter log = new StringWriter();
        try (Capture ignored = new Capture(log)) {
            AtomicLong now = new AtomicLong(0);
            ProgressReporter r = new ProgressReporter(ProgressReporter.Mode.LINES, 2, 1_000, now::get, Duration.ofSeconds(10));
            r.start(0, 0);
            for (int round = 1; round <= 10; round++) {
                now.addAndGet(3 * SECOND);
                r.roundDone(0, round, 10, round * 100L, 0.5);
            }
            r.epochDone(0);
        }
        String[] lines = log.toString().split("\n");
        assertEquals(3, lines.length, log.toString()); // rounds every 3 s: lines at 12 s, 24 s and the epoch's end
        assertTrue(lines[0].startsWith("INFO Epoch 1/2, round 4/10: images 400/1,000 of the epoch"), lines[0]);
        assertTrue(lines[1].startsWith("INFO Epoch 1/2, round 8/10:"), lines[1]);
        assertTrue(lines[2].startsWith("INFO Epoch 1/2, round 10/10: images 1,000/1,000"), lines[2]);
        assertFalse(log.toString().contains("round 9/10"), log.toString());
    }

    /** Captures what {@link ProgressReporter} logs, through the real SLF4J-to-Log4j2 path. */
    private static final class Capture implements AutoCloseable {
        private final Logger logger = (Logger) LogManager.getLogger(ProgressReporter.class);
        private final WriterAppender appender;

        Capture(StringWriter target) {
            appender = WriterAppender.newBuilder().setName("progress-capture").setTarget(target)
                    .setLayout(PatternLayout.newBuilder().withPattern("%level %msg%n").build()).build();
            appender.start();
            logger.addAppender(appender);
        }

        @Override
        public void close() {
            logger.removeAppender(appender);
            appender.stop();
        }
    }
}
