package io.sparkcnn.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The advisor for a target accuracy and a deadline (the throughput advisor is {@link Advice}): at one link speed,
 * the configuration (executors x cores, averaging frequency, variant of the training) that reaches the target
 * within the deadline with the fewest cores, the faster one when two have as many; or none.
 *
 * @param gbits           the link speed, Gbit/s
 * @param target          the test accuracy to reach, 0-1
 * @param deadlineSeconds the time allowed, s
 * @param choice          the recommended row of the plan, empty when none meets the deadline
 * @param fastest         the row that reaches the target soonest at this link speed (empty when none reaches it
 *                        at all), for the message when none meets the deadline
 * @param studied         whether any row at this link speed has a run of the scaling study behind it
 */
public record TargetAdvice(double gbits, double target, double deadlineSeconds, Optional<Plan.Row> choice,
                           Optional<Plan.Row> fastest, boolean studied) {

    /** One advice per link speed, in the order the rows first name them. */
    public static List<TargetAdvice> recommend(List<Plan.Row> rows, double target, double deadlineSeconds) {
        List<Double> links = rows.stream().map(r -> r.cluster().gbits()).distinct().toList();
        List<TargetAdvice> out = new ArrayList<>();
        for (double gbits : links) {
            List<Plan.Row> reaching = rows.stream()
                    .filter(r -> r.cluster().gbits() == gbits && r.reachesTarget())
                    .toList();
            Comparator<Plan.Row> bySeconds = Comparator.comparingDouble(Plan.Row::secondsToTarget);
            Optional<Plan.Row> fastest = reaching.stream().min(bySeconds);
            Optional<Plan.Row> choice = reaching.stream()
                    .filter(r -> r.secondsToTarget() <= deadlineSeconds)
                    .min(Comparator.comparingInt((Plan.Row r) -> r.cluster().workers()).thenComparing(bySeconds));
            boolean studied = rows.stream().anyMatch(r -> r.cluster().gbits() == gbits && r.measuredWorkers() > 0);
            out.add(new TargetAdvice(gbits, target, deadlineSeconds, choice, fastest, studied));
        }
        return out;
    }

    /** The advice in words. */
    public String text() {
        String head = String.format(Locale.ROOT, "At %s Gbit/s, test accuracy %.3f within %s: ", Plan.gbits(gbits),
                target, Plan.duration(deadlineSeconds));
        if (choice.isPresent()) {
            Plan.Row r = choice.get();
            return head + String.format(Locale.ROOT, "%d executors x %d core%s (W=%d), %s, averaging every %d "
                            + "minibatches: %,d images (%s) at a predicted %.0f images/s, %s.",
                    r.cluster().executors(), r.cluster().coresPerExecutor(),
                    r.cluster().coresPerExecutor() == 1 ? "" : "s", r.cluster().workers(), r.variant(),
                    r.round().frequency(), r.imagesToTarget(), r.source(), r.round().imagesPerSecond(),
                    Plan.duration(r.secondsToTarget()));
        }
        if (fastest.isPresent()) {
            Plan.Row r = fastest.get();
            return head + String.format(Locale.ROOT, "none meets the deadline; the fastest, %d executors x %d core%s "
                            + "(W=%d), %s, averaging every %d, needs %s.", r.cluster().executors(),
                    r.cluster().coresPerExecutor(), r.cluster().coresPerExecutor() == 1 ? "" : "s",
                    r.cluster().workers(), r.variant(), r.round().frequency(),
                    Plan.duration(r.secondsToTarget()));
        }
        return head + (studied ? "none: the scaling study has no run at or below these W that reached the target."
                : "no time to the target without a scaling study (--study); throughput only.");
    }
}
