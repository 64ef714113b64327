package io.sparkcnn.train;

import io.sparkcnn.config.ProgressConfig;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Progress of a training run on the driver, fed by {@link SparkTrainer} after every averaging round: images done
 * of the epoch and of the run, images per second, the time left (ETA) and the round's loss. On a terminal it
 * draws a live progress bar (on standard error); in a log it writes a plain INFO line at most every
 * {@code progress.log-interval-seconds} and one at every epoch's end; it can also be silent. It also words the
 * Spark UI's job descriptions of the rounds.
 *
 * <p>Images per second are those trained by this process since {@link #start} over the wall time since then
 * (evaluations and checkpoints between epochs included, so the ETA allows for them); a resumed run counts from
 * its resume. Images done within an epoch are exact at the end of each fit and, in between, the fit's images
 * times the fraction of its rounds done (DL4J splits a fit into rounds of about equal size at random). Not
 * thread-safe: the driver's training thread calls it.</p>
 */
public final class ProgressReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    /** How progress is shown. */
    public enum Mode {
        /** A live progress bar on the terminal. */
        BAR,
        /** Plain log lines at INFO. */
        LINES,
        /** Nothing (job descriptions in the Spark UI only). */
        OFF;

        /**
         * The mode a {@code progress.mode} setting means: {@code auto} is a bar on a terminal, lines otherwise.
         */
        public static Mode of(String setting, boolean terminal) {
            return switch (setting) {
                case "bar" -> BAR;
                case "lines" -> LINES;
                case "off" -> OFF;
                case "auto" -> terminal ? BAR : LINES;
                default -> throw new IllegalArgumentException("progress.mode: " + setting);
            };
        }
    }

    /**
     * Where a run stands after an averaging round.
     *
     * @param epoch           1-based
     * @param round           1-based, within the epoch
     * @param rounds          rounds of the epoch (DL4J decides each fit's count as it starts it, so later fits of
     *                        an epoch cut into checkpoint segments are estimated until they start)
     * @param imagesPerSecond images trained per wall second since the start; NaN before any time has passed
     * @param epochEtaSeconds seconds until the epoch's images are done at that speed; NaN when unknown
     * @param etaSeconds      seconds until the run's images are done at that speed; NaN when unknown
     * @param loss            DL4J's score of the round (mean over the workers of their last minibatch's loss)
     */
    public record Progress(int epoch, int epochs, int round, int rounds, long epochImagesDone, long epochImages,
                           long runImagesDone, long runImages, double imagesPerSecond, double epochEtaSeconds,
                           double etaSeconds, double loss) {
        /** The plain log line. */
        public String line() {
            return String.format(Locale.ROOT, "Epoch %d/%d, round %d/%d: images %,d/%,d of the epoch, %,d/%,d of the "
                            + "run; %.1f images/s; ETA epoch %s, run %s; loss %.4f", epoch, epochs, round, rounds,
                    epochImagesDone, epochImages, runImagesDone, runImages, imagesPerSecond,
                    clock(epochEtaSeconds), clock(etaSeconds), loss);
        }
    }

    private final Mode mode;
    private final int epochs;
    private final long imagesPerEpoch;
    private final LongSupplier nanoClock;
    private final long logIntervalNanos;
    private long startNanos;
    private long startImages;
    private long lastLogNanos;
    private Progress last;
    private boolean lastLogged;
    private ProgressBar bar;

    /**
     * @param imagesPerEpoch images trained in one epoch (augmented copies included)
     * @param nanoClock      a monotonic clock in nanoseconds ({@code System::nanoTime})
     * @param logInterval    least time between two plain lines within an epoch
     */
    public ProgressReporter(Mode mode, int epochs, long imagesPerEpoch, LongSupplier nanoClock, Duration logInterval) {
        this.mode = mode;
        this.epochs = epochs;
        this.imagesPerEpoch = imagesPerEpoch;
        this.nanoClock = nanoClock;
        this.logIntervalNanos = logInterval.toNanos();
    }

    /** The reporter the settings ask for; {@code auto} draws a bar when the JVM has a console. */
    public static ProgressReporter create(ProgressConfig cfg, int epochs, long imagesPerEpoch) {
        return new ProgressReporter(Mode.of(cfg.mode(), System.console() != null), epochs, imagesPerEpoch,
                System::nanoTime, Duration.ofSeconds(cfg.logIntervalSeconds()));
    }

    /** A reporter that shows nothing, for trainers used outside a job. */
    public static ProgressReporter off() {
        return new ProgressReporter(Mode.OFF, 1, 0, System::nanoTime, Duration.ZERO);
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Starts the clock; a resumed run starts at epoch {@code firstEpoch} (0-based) with {@code imagesDone} of its
     * images already trained by the killed run.
     */
    public void start(int firstEpoch, long imagesDone) {
        startNanos = nanoClock.getAsLong();
        lastLogNanos = startNanos;
        startImages = firstEpoch * imagesPerEpoch + imagesDone;
        if (mode == Mode.BAR) {
            bar = ProgressBar.builder()
                    .setTaskName("Training")
                    .setInitialMax(epochs * imagesPerEpoch)
                    .startsFrom(startImages, Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" img", 1)
                    .showSpeed()
                    .setEtaFunction(state -> last == null || Double.isNaN(last.etaSeconds()) ? Optional.empty()
                            : Optional.of(Duration.ofSeconds(Math.round(last.etaSeconds()))))
                    .build();
        }
    }

    /**
     * An averaging round of epoch {@code epoch} (0-based) ended with {@code epochImagesDone} images of the epoch
     * done.
     */
    public Progress roundDone(int epoch, int round, int rounds, long epochImagesDone, double loss) {
        long now = nanoClock.getAsLong();
        last = progress(epoch, round, rounds, epochImagesDone, loss, now);
        lastLogged = mode == Mode.LINES && now - lastLogNanos >= logIntervalNanos;
        if (lastLogged) {
            LOG.info("{}", last.line());
            lastLogNanos = now;
        } else if (bar != null) {
            bar.stepTo(last.runImagesDone());
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d round %d/%d loss %.4f", epoch + 1, epochs,
                    round, rounds, loss));
        }
        return last;
    }

    /**
     * Epoch {@code epoch} (0-based) has ended: in {@link Mode#LINES} its last round's line, unless that was
     * logged already.
     */
    public void epochDone(int epoch) {
        if (last != null && last.epoch() == epoch + 1 && mode == Mode.LINES && !lastLogged) {
            LOG.info("{}", last.line());
            lastLogNanos = nanoClock.getAsLong();
            lastLogged = true;
        }
    }

    /** The latest state, if a round has ended. */
    public Optional<Progress> last() {
        return Optional.ofNullable(last);
    }

    /**
     * The Spark UI's description of round {@code round} of epoch {@code epoch} (0-based), e.g.
     * {@code epoch 2/5, round 37/94 (images 23,680/60,000)}, counting the images the round brings the epoch to.
     */
    public String describeRound(int epoch, int round, int rounds, long epochImagesAfter) {
        return String.format(Locale.ROOT, "epoch %d/%d, round %d/%d (images %,d/%,d)", epoch + 1, epochs, round,
                rounds, epochImagesAfter, imagesPerEpoch);
    }

    /** The Spark UI's description of the jobs that prepare a fit of epoch {@code epoch} (0-based). */
    public String describeFitStart(int epoch, int firstRound) {
        return String.format(Locale.ROOT, "epoch %d/%d, preparing minibatches for round %d", epoch + 1, epochs,
                firstRound);
    }

    private Progress progress(int epoch, int round, int rounds, long epochImagesDone, double loss, long now) {
        long runDone = epoch * imagesPerEpoch + epochImagesDone;
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (runDone - startImages) / seconds : Double.NaN;
        double epochEta = rate > 0 ? (imagesPerEpoch - epochImagesDone) / rate : Double.NaN;
        double eta = rate > 0 ? (epochs * imagesPerEpoch - runDone) / rate : Double.NaN;
        return new Progress(epoch + 1, epochs, round, rounds, epochImagesDone, imagesPerEpoch, runDone,
                epochs * imagesPerEpoch, rate, epochEta, eta, loss);
    }

    /** {@code H:MM:SS}, or {@code ?} when unknown. */
    static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Removes the bar (its last state stays on the terminal). */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
